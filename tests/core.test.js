'use strict';
/**
 * The C core through its test harness (tests/native/core_check.c): gradients,
 * parity with the notebook's math and with Adam's and OneCycleLR's, determinism of slicing, and every IDX and
 * model-file error on crafted inputs, under AddressSanitizer + UBSan.
 */

const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { test } = require('node:test');

const {
  BIN, MNIST_DIR, runBinary, tempDir, readGz, idxImages, idxLabels, withFixedCrc, modelLayout,
} = require('./helpers');

/** Runs the sanitized harness and insists it exited cleanly with no report. */
function check(args) {
  const r = runBinary(BIN.asanCoreCheck, args);
  assert.equal(r.status, 0, `core_check ${args.join(' ')} exited ${r.status}:\n${r.stderr}`);
  assert.equal(r.stderr, '', 'sanitizer or harness wrote to stderr');
  assert.ok(r.json, `no JSON from core_check ${args[0]}: ${r.stdout}`);
  return r.json;
}

// ---- gradients ------------------------------------------------------------------

// Richardson-extrapolated central differences in float32 agree with backprop to
// about 1e-3 at worst (measured); a gradient off by 3% fails this bound.
const GRAD_BOUND = 1e-2;

test('gradient check: every layer and every parameter tensor matches finite differences', () => {
  const { results } = check(['gradcheck']);
  const names = results.map((r) => r.name);
  for (const layer of ['dense.input', 'dense.weight', 'dense.bias', 'relu', 'softmax_crossentropy',
    'W1', 'b1', 'W2', 'b2', 'W3', 'b3',
    // 784-c6k3-p2-c5k3pad1-p2-8-10 through the network's passes: both convolutions, the hidden and the output layer
    'cnn.W1', 'cnn.b1', 'cnn.W2', 'cnn.b2', 'cnn.W3', 'cnn.b3', 'cnn.W4', 'cnn.b4']) {
    assert.ok(names.includes(layer), `no gradient check for ${layer}`);
  }
  for (const r of results) {
    assert.ok(r.checked >= 5, `${r.name}: only ${r.checked} entries checked (${r.skipped} skipped)`);
    assert.ok(r.max_rel_error < GRAD_BOUND, `${r.name}: relative error ${r.max_rel_error}`);
  }
});

test('gradient check: a gradient 3% off is caught by the same bound', () => {
  const { results } = check(['gradcheck', '--perturb', '0.03']);
  for (const r of results.filter((x) => /^(cnn\.)?[Wb]\d$/.test(x.name))) {
    assert.ok(r.max_rel_error > GRAD_BOUND, `${r.name}: a 3% error went unnoticed (${r.max_rel_error})`);
  }
});

// ---- seed parity ------------------------------------------------------------------

/** One full-batch gradient-descent step, exactly as the notebook writes it,
 *  in float64 with columns as samples: X (784, m), W1 (10, 784), W2 (10, 10). */
function notebookStep(params, X, labels, m, alpha) {
  const W1 = params.subarray(0, 7840), b1 = params.subarray(7840, 7850);
  const W2 = params.subarray(7850, 7950), b2 = params.subarray(7950, 7960);
  const Z1 = new Float64Array(10 * m), A1 = new Float64Array(10 * m);
  const Z2 = new Float64Array(10 * m), A2 = new Float64Array(10 * m);
  // forward: Z1 = W1 X + b1; A1 = ReLU(Z1); Z2 = W2 A1 + b2; A2 = softmax(Z2)
  for (let i = 0; i < 10; i++) {
    for (let j = 0; j < m; j++) {
      let s = b1[i];
      for (let k = 0; k < 784; k++) s += W1[i * 784 + k] * X[k * m + j];
      Z1[i * m + j] = s;
      A1[i * m + j] = Math.max(s, 0);
    }
  }
  for (let i = 0; i < 10; i++) {
    for (let j = 0; j < m; j++) {
      let s = b2[i];
      for (let k = 0; k < 10; k++) s += W2[i * 10 + k] * A1[k * m + j];
      Z2[i * m + j] = s;
    }
  }
  let loss = 0;
  for (let j = 0; j < m; j++) {
    let sum = 0;
    for (let i = 0; i < 10; i++) sum += Math.exp(Z2[i * m + j]);
    for (let i = 0; i < 10; i++) A2[i * m + j] = Math.exp(Z2[i * m + j]) / sum;
    loss -= Math.log(A2[labels[j] * m + j]);
  }
  // backward: dZ2 = A2 - Y; dW2 = dZ2 A1^T / m; db2 = sum(dZ2) / m;
  // dZ1 = W2^T dZ2 .* (Z1 > 0); dW1 = dZ1 X^T / m; db1 = sum(dZ1) / m
  const dZ2 = A2.map((v, idx) => v - (labels[idx % m] === Math.floor(idx / m) ? 1 : 0));
  const dW2 = new Float64Array(100), db2 = new Float64Array(10);
  const dZ1 = new Float64Array(10 * m), dW1 = new Float64Array(7840), db1 = new Float64Array(10);
  for (let i = 0; i < 10; i++) {
    for (let j = 0; j < m; j++) {
      db2[i] += dZ2[i * m + j] / m;
      for (let k = 0; k < 10; k++) dW2[i * 10 + k] += (dZ2[i * m + j] * A1[k * m + j]) / m;
    }
  }
  for (let k = 0; k < 10; k++) {
    for (let j = 0; j < m; j++) {
      let s = 0;
      for (let i = 0; i < 10; i++) s += W2[i * 10 + k] * dZ2[i * m + j];
      dZ1[k * m + j] = Z1[k * m + j] > 0 ? s : 0;
    }
  }
  for (let i = 0; i < 10; i++) {
    for (let j = 0; j < m; j++) {
      db1[i] += dZ1[i * m + j] / m;
      if (dZ1[i * m + j] === 0) continue;
      for (let k = 0; k < 784; k++) dW1[i * 784 + k] += (dZ1[i * m + j] * X[k * m + j]) / m;
    }
  }
  // update: W := W - alpha dW
  const next = Float64Array.from(params);
  const grads = [dW1, db1, dW2, db2];
  let offset = 0;
  for (const g of grads) {
    for (let k = 0; k < g.length; k++) next[offset + k] -= alpha * g[k];
    offset += g.length;
  }
  return { next, loss: loss / m };
}

test('seed parity: one full-batch step equals the notebook formulas (JavaScript, float64) to 1e-5', (t) => {
  const m = 64;
  const images = readGz(path.join(MNIST_DIR, 'train-images-idx3-ubyte.gz')).subarray(16, 16 + m * 784);
  const labels = readGz(path.join(MNIST_DIR, 'train-labels-idx1-ubyte.gz')).subarray(8, 8 + m);
  const dir = tempDir(t);
  const input = path.join(dir, 'in.bin'), output = path.join(dir, 'out.bin');
  const header = Buffer.alloc(4);
  header.writeUInt32LE(m);
  fs.writeFileSync(input, Buffer.concat([header, images, labels]));

  const result = check(['seed-step', input, output, '1']);
  assert.equal(result.parameters, 7960);
  assert.equal(result.iterations, 1);
  const raw = fs.readFileSync(output);
  const both = new Float32Array(raw.buffer, raw.byteOffset, raw.length / 4);
  const initial = Float64Array.from(both.subarray(0, 7960));
  const trained = both.subarray(7960);

  // the notebook's initialisation: everything in [-0.5, 0.5)
  assert.ok(initial.every((v) => v >= -0.5 && v < 0.5));
  assert.ok(Math.max(...initial) > 0.49 && Math.min(...initial) < -0.49);

  const X = new Float64Array(784 * m); // column j = sample j
  for (let j = 0; j < m; j++) for (let k = 0; k < 784; k++) X[k * m + j] = images[j * 784 + k] / 255;
  const { next, loss } = notebookStep(initial, X, labels, m, 0.1);
  let maxDiff = 0, maxStep = 0;
  for (let k = 0; k < 7960; k++) {
    maxDiff = Math.max(maxDiff, Math.abs(trained[k] - next[k]));
    maxStep = Math.max(maxStep, Math.abs(next[k] - initial[k]));
  }
  assert.ok(maxStep > 1e-3, `the step barely moved the parameters (${maxStep}); test would be vacuous`);
  assert.ok(maxDiff <= 1e-5, `C and the notebook's formulas differ by ${maxDiff}`);
  assert.ok(Math.abs(result.loss - loss) < 1e-4, `loss ${result.loss} vs notebook ${loss}`);
});

// ---- numerics and determinism --------------------------------------------------------

test('own exp and log are within 2 float ulps of libm over the softmax range', () => {
  const r = check(['expf']);
  assert.equal(r.exp0, 1);
  assert.equal(r.log1, 0);
  assert.ok(r.exp_max_rel_error < 2.4e-7, `exp error ${r.exp_max_rel_error}`);
  assert.ok(r.log_max_error < 2.4e-7, `log error ${r.log_max_error}`);
});

test('training in slices of 1000, 64, 7 or 1 samples gives bit-identical parameters', () => {
  // SGD + step; Adam + one-cycle; both through a small CNN (784-c3k3-p2-c4k3pad1-p2-12-10)
  for (const variant of [[], ['adam'], ['cnn'], ['adam', 'cnn']]) {
    const r = check(['slices', ...variant]);
    assert.deepEqual(r.iterations, [44, 44, 44, 44]);
    assert.equal(r.identical, true, `slices ${variant.join(' ')}`);
  }
});

test('random shifts: each training image moved by its drawn (dx, dy), zero fill; slices keep the bits', () => {
  const r = check(['shift']);
  // shift 0: the image unchanged (x / 255) and no PRNG draw, so every existing run keeps its bits
  assert.deepEqual(r.shift0, { samples: 200, mismatches: 0, moved: 0, covered: 1, rngMoved: false });
  // the converted input equals an independent loop's shifted image, bit for bit
  for (const [key, side] of [['shift2', 5], ['shift4', 9]]) {
    assert.equal(r[key].mismatches, 0, key);
    assert.ok(r[key].moved > 150, `${key}: ${r[key].moved} of 200 samples moved`);
    assert.ok(r[key].covered > side * side / 2 && r[key].covered <= side * side, `${key}: ${r[key].covered} shifts seen`);
    assert.equal(r[key].rngMoved, true);
  }
  assert.equal(r.shift2.covered, 25); // 200 draws cover all 25 shifts of [-2, 2]^2
  assert.equal(r.slicesDense, true, 'dense net, shift on, slices of 1000, 64, 7, 1');
  assert.equal(r.slicesCnn, true, 'convolutional net, shift on, slices of 1000, 64, 7, 1');
});

test('random turns and scalings: the resampling is right, every draw in range, slices keep the bits', () => {
  const r = check(['warp']);
  assert.equal(r.identityIsShift, true, 'no turn, factor 1: the whole-pixel shift, bit for bit');
  assert.equal(r.quarterTurnExact, true, 'a quarter turn: the image turned, exactly');
  assert.ok(r.halfSizeError < 1e-6, `half size: 2x2 means, error ${r.halfSizeError}`);
  assert.ok(r.maxError < 1e-5, `random turns, factors, shifts against a double reference: error ${r.maxError}`);
  // rotate 15, scale 0.2, shift 1: 200 training samples, each warped by its draw, all in range
  const d = r.draws;
  assert.deepEqual([d.samples, d.unwarped, d.outOfRange, d.inputMismatches], [200, 0, 0, 0]);
  assert.ok(d.angleMin < -10 && d.angleMax > 10, `angles ${d.angleMin}..${d.angleMax}`);
  assert.ok(d.factorMin < 0.85 && d.factorMax > 1.15, `factors ${d.factorMin}..${d.factorMax}`);
  assert.equal(r.slicesDense, true, 'dense net, rotate and scale on, slices of 1000, 64, 7, 1');
  assert.equal(r.slicesCnn, true, 'convolutional net, rotate and scale on, slices of 1000, 64, 7, 1');
});

// ---- the architecture grammar ----------------------------------------------------------

test('architectures: dense and convolutional texts parse, and read back the same', () => {
  const texts = ['784-128-10', '784-10', '784-c16k3-p2-c32k3-p2-64-10', '784-c8k5pad2-p2-10', '784-p2-c4k3-10'];
  const results = check(['arch', ...texts]);
  results.forEach((r, i) => {
    assert.equal(r.code, 'MNIST_OK', `${texts[i]}: ${r.message}`);
    assert.equal(r.format, texts[i]);
  });
  assert.deepEqual(results[0].sizes, [784, 128, 10]); // a dense net means what it always meant
  // the values each layer outputs: 26x26x16, 13x13x16, 11x11x32, 5x5x32, then the dense widths
  assert.deepEqual(results[2].sizes, [784, 10816, 2704, 3872, 800, 64, 10]);
  assert.deepEqual(results[3].sizes, [784, 6272, 1568, 10]);
});

test('architectures: each error is one line, field "arch", saying where it breaks', () => {
  const cases = [
    ['784-c16k9-p2-p2-p2-p2-p2-10', /^784-c16k9-p2-p2-p2-p2-p2-10: after layer 5 the image is 1×1, too small for a 2×2 pool$/],
    ['784-c4k29-10', /^784-c4k29-10: the input image is 28×28, too small for a 29×29 convolution$/],
    ['784-64-c4k3-10', /layer 2 \(a convolution\) follows a dense layer; convolutions and pools need an image/],
    ['784-c0k3-10', /layer 1 has 0 filters \(must be 1\.\.64\)/],
    ['784-c65k3-10', /layer 1 has 65 filters \(must be 1\.\.64\)/],
    ['784-c4k3pad2-10', /layer 1 pads by 2 \(a 3×3 convolution may pad 0\.\.1\)/],
    ['784-c4k0-10', /layer 1 has a 0×0 convolution/],
    ['784-c4x3-10', /bad architecture '784-c4x3-10': layer 1 \('c4x3'\) is not a width like 128, a convolution like c16k3/],
    ['784-c4k3-p', /layer 2 \('p'\) is not a width/],
    ['784-c4k3-p2', /the last layer must be a dense layer of 10 units/],
    ['784-c4k3-p2-5000-10', /hidden layer 3 has 5000 units \(must be 1\.\.4096\)/],
    ['c4k3-10', /expected layers joined by '-', like 784-128-10/],
    ['784-c4k3-p2-c4k3-p2-c4k3-p2-c4k3-p2-10', /at most 8 weight layers/],
  ];
  const results = check(['arch', ...cases.map(([text]) => text)]);
  results.forEach((r, i) => {
    assert.equal(r.code, 'MNIST_E_CONFIG', cases[i][0]);
    assert.equal(r.field, 'arch', cases[i][0]);
    assert.match(r.message, cases[i][1]);
    assert.ok(!r.message.includes('\n'), cases[i][0]);
  });
});

// ---- optimisers and schedules -----------------------------------------------------------

/** PyTorch's OneCycleLR at its defaults, written from its documentation: [lr, momentum] at `step` of `total`. */
function oneCycle(maxLr, step, total) {
  const cos = (start, end, pct) => end + (start - end) / 2 * (Math.cos(Math.PI * pct) + 1);
  const peak = 0.3 * total - 1, last = total - 1, initial = maxLr / 25, final = initial / 1e4;
  step = Math.min(step, last);
  if (step <= peak) return [cos(initial, maxLr, step / peak), cos(0.95, 0.85, step / peak)];
  const pct = (step - peak) / (last - peak);
  return [cos(maxLr, final, pct), cos(0.85, 0.95, pct)];
}

/** Adam (Kingma & Ba, with bias correction) in float64, L2 decay added to the weights' gradient. */
function adamReference(r, { biasCorrection = true } = {}, schedule = 'step') {
  const { sizes, m: count, beta2, eps, wd } = r;
  const isWeight = [];
  for (let l = 0; l + 1 < sizes.length; l++) {
    for (let k = 0; k < sizes[l] * sizes[l + 1]; k++) isWeight.push(true);
    for (let k = 0; k < sizes[l + 1]; k++) isWeight.push(false);
  }
  const w = Float64Array.from(r.before), m = new Float64Array(w.length), v = new Float64Array(w.length);
  return r.steps.map(({ grad }, i) => {
    const t = i + 1;
    const [lr, beta1] = schedule === 'onecycle' ? oneCycle(r.lr, i, r.steps.length) : [r.lr, r.beta1];
    for (let k = 0; k < w.length; k++) {
      const g = grad[k] / count + (isWeight[k] ? wd * w[k] : 0);
      m[k] = beta1 * m[k] + (1 - beta1) * g;
      v[k] = beta2 * v[k] + (1 - beta2) * g * g;
      const mHat = biasCorrection ? m[k] / (1 - beta1 ** t) : m[k];
      const vHat = biasCorrection ? v[k] / (1 - beta2 ** t) : v[k];
      w[k] -= lr * mHat / (Math.sqrt(vHat) + eps);
    }
    return Array.from(w);
  });
}

/** The largest error of `got` against `want`, relative to max(|want|, lr). */
function worstRelative(got, want, lr) {
  let worst = 0;
  for (let k = 0; k < want.length; k++) worst = Math.max(worst, Math.abs(got[k] - want[k]) / Math.max(Math.abs(want[k]), lr));
  return worst;
}

test('Adam: one step and a few equal an independent implementation (bias correction included) to 1e-6', () => {
  for (const [steps, wd, schedule] of [['1', '0', 'step'], ['4', '0.01', 'step'], ['5', '0.01', 'onecycle']]) {
    const r = check(['adam-step', steps, wd, schedule]);
    assert.equal(r.steps.length, Number(steps));
    const want = adamReference(r, {}, schedule);
    r.steps.forEach((step, i) => {
      const err = worstRelative(step.after, want[i], r.lr);
      assert.ok(err < 1e-6, `${schedule}, wd ${wd}, step ${i + 1}: relative error ${err}`);
    });
    const moved = Math.max(...r.steps[0].after.map((w, k) => Math.abs(w - r.before[k])));
    assert.ok(moved > 1e-4, `the first step moved the parameters by at most ${moved}`);
    // without bias correction the first step is about 3x too long: the bound tells them apart
    const uncorrected = adamReference(r, { biasCorrection: false }, schedule);
    assert.ok(worstRelative(r.steps[0].after, uncorrected[0], r.lr) > 1e-3);
  }
});

test('one-cycle: the rate at step 0, the peak (30%) and the end, and every step, follow OneCycleLR', () => {
  const r = check(['onecycle', '100', '0.1']);
  const close = (a, b) => Math.abs(a - b) <= 1e-6 * Math.abs(b);
  assert.ok(close(r.lr[0], 0.1 / 25) && close(r.momentum[0], 0.95), `step 0: ${r.lr[0]}, ${r.momentum[0]}`);
  assert.ok(close(r.lr[29], 0.1) && close(r.momentum[29], 0.85), `peak: ${r.lr[29]}, ${r.momentum[29]}`);
  assert.ok(close(r.lr[99], 0.1 / 25 / 1e4) && close(r.momentum[99], 0.95), `end: ${r.lr[99]}, ${r.momentum[99]}`);
  for (let s = 0; s < 100; s++) {
    const [lr, momentum] = oneCycle(0.1, s, 100);
    assert.ok(close(r.lr[s], lr) && close(r.momentum[s], momentum), `step ${s}: ${r.lr[s]} vs ${lr}`);
  }
  // a run of 10 epochs x 10 batches plans 100 updates: after update s it reports the rate of s + 1
  r.trained.forEach((lr, s) => assert.equal(lr, r.lr[Math.min(s + 1, 99)], `after update ${s}`));
});

// ---- rules ------------------------------------------------------------------------------

test('rules: every preset keeps within the limits it is published with, its architecture a text the core parses', () => {
  const rules = check(['rules']);
  assert.deepEqual(Object.keys(rules.presets), ['seed', 'default', 'wide', 'cnn', 'cnn-best']);
  const within = (limit, v) => (limit.minExclusive ? v > limit.min : v >= limit.min) &&
    (limit.maxExclusive ? v < limit.max : v <= limit.max) && (!limit.integer || Number.isInteger(v));
  assert.deepEqual(rules.optimizers, ['sgd', 'adam']);
  assert.deepEqual(rules.schedules, ['step', 'onecycle']);
  const names = Object.keys(rules.presets);
  const parsed = check(['arch', ...names.map((name) => rules.presets[name].arch)]);
  names.forEach((name, i) => {
    const preset = rules.presets[name];
    assert.ok(rules.optimizers.includes(preset.optimizer) && rules.schedules.includes(preset.schedule));
    for (const setting of rules.settings) { // every numeric setting within its range, every choice one of its names
      if ('min' in setting) {
        assert.ok(within(setting, preset[setting.key]), `${name}.${setting.key} = ${preset[setting.key]}`);
        assert.ok(within(rules.limits[setting.key], preset[setting.key]), `${name}.${setting.key}: its limit`);
      }
      if (setting.choices) assert.ok(setting.choices.includes(preset[setting.key]), `${name}.${setting.key}`);
    }
    assert.equal(typeof preset.arch, 'string');
    assert.equal(parsed[i].code, 'MNIST_OK', `${name}: ${parsed[i].message}`);
    assert.equal(parsed[i].format, preset.arch, `${name}: the text reads back as it is`);
    const sizes = parsed[i].sizes;
    assert.ok(within(rules.limits.layers, sizes.length - 1), `${name}: ${sizes.length - 1} layers`);
    assert.deepEqual([sizes[0], sizes[sizes.length - 1]], [rules.pixels, rules.classes]);
    assert.ok(rules.inits.includes(preset.init));
    assert.ok(preset.epochs > 0 || preset.iterations > 0);
    assert.equal(typeof preset.description, 'string');
  });
  // the dense presets, and the two convolutional ones
  assert.deepEqual(names.map((n) => rules.presets[n].arch),
    ['784-10-10', '784-128-10', '784-256-128-10', '784-c16k3-p2-c32k3-p2-64-10', '784-c32k3-p2-c64k3-p2-128-10']);
  assert.ok(rules.presets.cnn.epochs <= 2 && rules.presets['cnn-best'].epochs <= 10);
});

// ---- IDX validation ---------------------------------------------------------------------

const goodImages = idxImages(3);
const goodLabels = idxLabels([7, 0, 9]);
const idxCases = [
  ['empty image file', Buffer.alloc(0), goodLabels, 'MNIST_E_IDX_SHORT', /too short/],
  ['image header cut short', goodImages.subarray(0, 10), goodLabels, 'MNIST_E_IDX_SHORT', /too short/],
  ['label file as images', idxImages(3, { magic: 2049 }), goodLabels, 'MNIST_E_IDX_MAGIC', /label file/],
  ['still gzip-compressed', Buffer.concat([Buffer.from([0x1f, 0x8b, 8, 0]), goodImages.subarray(4)]),
    goodLabels, 'MNIST_E_IDX_MAGIC', /gzip/],
  ['28x27 images', idxImages(3, { cols: 27 }), goodLabels, 'MNIST_E_IDX_DIMS', /28x27|27/],
  ['zero images', idxImages(0), idxLabels([]), 'MNIST_E_IDX_DIMS', /no images/],
  ['pixels truncated', goodImages.subarray(0, goodImages.length - 100), goodLabels, 'MNIST_E_IDX_LENGTH', /truncated/],
  ['trailing bytes', Buffer.concat([goodImages, Buffer.alloc(5)]), goodLabels, 'MNIST_E_IDX_LENGTH', /trailing/],
  ['count of 2^32-1 in a tiny file', idxImages(3, { declared: 0xffffffff }), goodLabels, 'MNIST_E_IDX_LENGTH', /4294967295/],
  ['label header cut short', goodImages, goodLabels.subarray(0, 5), 'MNIST_E_IDX_SHORT', /label header/],
  ['labels with image magic', goodImages, idxLabels([7, 0, 9], { magic: 2051 }), 'MNIST_E_IDX_MAGIC', /image file/],
  ['labels truncated', goodImages, idxLabels([7, 0, 9], { declared: 4 }), 'MNIST_E_IDX_LENGTH', /truncated/],
  ['label 10', goodImages, idxLabels([7, 10, 9]), 'MNIST_E_IDX_LABEL', /label 10 of image 1/],
  ['label 255', goodImages, idxLabels([7, 0, 255]), 'MNIST_E_IDX_LABEL', /label 255 of image 2/],
  ['3 images, 2 labels', goodImages, idxLabels([7, 0]), 'MNIST_E_IDX_COUNT', /3 images but .* 2 labels/],
];

test('IDX: a valid pair parses and every byte it claims is readable', (t) => {
  const dir = tempDir(t);
  fs.writeFileSync(path.join(dir, 'images'), goodImages);
  fs.writeFileSync(path.join(dir, 'labels'), goodLabels);
  const r = check(['idx', path.join(dir, 'images'), path.join(dir, 'labels')]);
  assert.equal(r.code, 'MNIST_OK');
  assert.equal(r.count, 3);
});

for (const [name, images, labels, code, message] of idxCases) {
  test(`IDX error: ${name} -> ${code}`, (t) => {
    const dir = tempDir(t);
    const imagesPath = path.join(dir, 'my-images.idx'), labelsPath = path.join(dir, 'my-labels.idx');
    fs.writeFileSync(imagesPath, images);
    fs.writeFileSync(labelsPath, labels);
    const r = check(['idx', imagesPath, labelsPath]);
    assert.equal(r.code, code, r.message);
    assert.match(r.message, message);
    assert.match(r.message, /my-(images|labels)\.idx/, 'the message names the file');
  });
}

test('IDX: the real MNIST files parse', (t) => {
  const dir = tempDir(t);
  for (const [name, out] of [['t10k-images-idx3-ubyte.gz', 'images'], ['t10k-labels-idx1-ubyte.gz', 'labels']]) {
    fs.writeFileSync(path.join(dir, out), readGz(path.join(MNIST_DIR, name)));
  }
  const r = check(['idx', path.join(dir, 'images'), path.join(dir, 'labels')]);
  assert.equal(r.code, 'MNIST_OK');
  assert.equal(r.count, 10000);
});

// ---- model files ------------------------------------------------------------------------

/** Each case [name, bytes, code, message]: the model file is refused with that code and a
 *  message that matches and names the file. */
async function expectRefused(t, dir, cases) {
  for (const [name, bytes, code, message] of cases) {
    await t.test(`${name} -> ${code}`, () => {
      const file = path.join(dir, `bad-${name.replace(/\W+/g, '-')}.model`);
      fs.writeFileSync(file, bytes);
      const r = check(['model', file]);
      assert.equal(r.code, code, r.message);
      assert.match(r.message, message);
      assert.ok(r.message.includes(path.basename(file)), 'the message names the file');
    });
  }
}

test('model files (version 1, what earlier builds wrote of a dense net): every defect is rejected with its own error', async (t) => {
  const dir = tempDir(t);
  const goodPath = path.join(dir, 'good.model');
  const saved = check(['model-save', goodPath, '5', '784-16-10', '1']);
  const good = fs.readFileSync(goodPath);
  const params = 784 * 16 + 16 + 16 * 10 + 10;
  assert.equal(saved.parameters, params);
  assert.equal(good.length, 8 + 4 + 4 + 3 * 4 + 4 + params * 4 + 4, 'documented size');
  assert.equal(good.subarray(0, 8).toString('latin1'), 'MNISTNET');

  const loaded = check(['model', goodPath]);
  assert.deepEqual(loaded, { code: 'MNIST_OK', parameters: params, roundtrip: true });

  const edit = (fn) => {
    const b = Buffer.from(good);
    fn(b);
    return b;
  };
  const paramsStart = 8 + 4 + 4 + 12 + 4;
  const cases = [
    ['empty', Buffer.alloc(0), 'MNIST_E_MODEL_SHORT', /too short/],
    ['ten bytes', good.subarray(0, 10), 'MNIST_E_MODEL_SHORT', /too short/],
    ['wrong magic', edit((b) => b.write('NOTMODEL', 0, 'latin1')), 'MNIST_E_MODEL_MAGIC', /not a model file/],
    ['format version 5', withFixedCrc(edit((b) => b.writeUInt32LE(5, 8))), 'MNIST_E_MODEL_VERSION', /version 5 .*versions 1 to 4/],
    ['zero layers', withFixedCrc(edit((b) => b.writeUInt32LE(0, 12))), 'MNIST_E_MODEL_ARCH', /0 weight layers/],
    ['99 layers', withFixedCrc(edit((b) => b.writeUInt32LE(99, 12))), 'MNIST_E_MODEL_ARCH', /99 weight layers/],
    ['header cut inside the sizes', good.subarray(0, 22), 'MNIST_E_MODEL_SHORT', /header/],
    ['input width 785', withFixedCrc(edit((b) => b.writeUInt32LE(785, 16))), 'MNIST_E_MODEL_ARCH', /input layer has 785/],
    ['output width 9', withFixedCrc(edit((b) => b.writeUInt32LE(9, 24))), 'MNIST_E_MODEL_ARCH', /output layer has 9/],
    ['hidden width 0', withFixedCrc(edit((b) => b.writeUInt32LE(0, 20))), 'MNIST_E_MODEL_ARCH', /hidden layer 1 has 0/],
    ['hidden width 2^32-1', withFixedCrc(edit((b) => b.writeUInt32LE(0xffffffff, 20))), 'MNIST_E_MODEL_ARCH', /hidden layer 1/],
    ['sizes of a different net', withFixedCrc(edit((b) => b.writeUInt32LE(32, 20))), 'MNIST_E_MODEL_LENGTH', /needs? \d+/],
    ['wrong parameter count', withFixedCrc(edit((b) => b.writeUInt32LE(params + 1, 28))), 'MNIST_E_MODEL_LENGTH', /declares/],
    ['parameters truncated', good.subarray(0, good.length - 100), 'MNIST_E_MODEL_SHORT', /truncated/],
    ['trailing byte', Buffer.concat([good, Buffer.alloc(1)]), 'MNIST_E_MODEL_LENGTH', /trailing/],
    ['one flipped bit', edit((b) => { b[paramsStart + 1001] ^= 0x10; }), 'MNIST_E_MODEL_CHECKSUM', /checksum/],
    ['checksum itself damaged', edit((b) => { b[b.length - 1] ^= 1; }), 'MNIST_E_MODEL_CHECKSUM', /corrupt/],
    ['a NaN parameter', withFixedCrc(edit((b) => b.writeFloatLE(NaN, paramsStart + 40))), 'MNIST_E_MODEL_VALUE', /parameter 10 /],
    ['an infinite parameter', withFixedCrc(edit((b) => b.writeFloatLE(-Infinity, paramsStart))), 'MNIST_E_MODEL_VALUE', /parameter 0 /],
  ];
  await expectRefused(t, dir, cases);
});

test('model files, version 2: a CNN round-trips, and every layer defect is rejected with its own error', async (t) => {
  const dir = tempDir(t);
  const goodPath = path.join(dir, 'cnn.model');
  // c4k3pad1 (28x28x4), p2 (14x14x4), c6k5 (10x10x6), p2 (5x5x6), 20, 10
  const saved = check(['model-save', goodPath, '5', '784-c4k3pad1-p2-c6k5-p2-20-10', '2']);
  const params = (4 * 9 + 4) + (6 * 25 * 4 + 6) + (150 * 20 + 20) + (20 * 10 + 10);
  assert.equal(saved.parameters, params);
  const good = fs.readFileSync(goodPath);
  assert.equal(good.readUInt32LE(8), 2, 'written as version 2');
  assert.equal(good.length, 8 + 4 + 4 + 6 * 16 + 4 + params * 4 + 4, 'documented size');
  assert.deepEqual(check(['model', goodPath]), { code: 'MNIST_OK', parameters: params, roundtrip: true });

  const layer = (l, fields) => withFixedCrc((() => {
    const b = Buffer.from(good);
    fields.forEach((v, k) => { if (v !== null) b.writeUInt32LE(v, 16 + 16 * (l - 1) + 4 * k); });
    return b;
  })());
  const cases = [
    ['unknown kind', layer(1, [7, null, null, null]), /layer 1 is no layer \(kind 7/],
    ['pool with a stray field', layer(2, [null, null, 1, null]), /layer 2 is no layer \(kind 2 with fields 2, 1, 0\)/],
    ['kernel larger than its input', layer(3, [null, null, 20, null]),
      /bad layer sizes: after layer 2 the image is 14×14, too small for a 20×20 convolution/],
    ['pool that does not fit', layer(2, [null, 29, null, null]), /after layer 1 the image is 28×28, too small for a 29×29 pool/],
    ['padding beyond the kernel', layer(1, [null, null, null, 2]), /layer 1 pads by 2 \(a 3×3 convolution may pad 0\.\.1\)/],
    ['no filters', layer(1, [null, 0, null, null]), /layer 1 has 0 filters/],
    ['channels that change the parameter count', layer(1, [null, 5, null, null]), /declares \d+ parameters but its layer sizes need/],
    ['a convolution after a dense layer', layer(6, [1, 4, 3, 0]), /the last layer must be a dense layer/],
    ['a pool after a dense layer', layer(3, [0, 30, 0, 0]), /layer 4 \(a pool\) follows a dense layer/],
    ['header cut inside the layers', good.subarray(0, 60), /truncated inside the header/],
  ];
  for (const [name, bytes, message] of cases) {
    await t.test(name, () => {
      const file = path.join(dir, `bad-${name.replace(/\W+/g, '-')}.model`);
      fs.writeFileSync(file, bytes);
      const r = check(['model', file]);
      assert.match(r.code, /MNIST_E_MODEL_(ARCH|LENGTH|SHORT)/, r.message);
      assert.match(r.message, message);
      assert.ok(r.message.includes(path.basename(file)), 'the message names the file');
    });
  }
});

test('model files, version 4: the configuration it was trained with comes back; its defects are refused', async (t) => {
  const dir = tempDir(t);
  const goodPath = path.join(dir, 'v4.model');
  check(['model-save', goodPath, '5', '784-c4k3-p2-16-10']);
  const good = fs.readFileSync(goodPath);
  const layout = modelLayout(good);
  assert.equal(layout.version, 4);
  const rules = check(['rules']);
  assert.deepEqual(Object.keys(layout.config), rules.settings.map((s) => s.key), 'every setting, in the table\'s order');
  assert.deepEqual([layout.config.arch, layout.config.seed, layout.config.lr], ['784-c4k3-p2-16-10', '5', '0.1']);
  const loaded = check(['model', goodPath]);
  assert.equal(loaded.roundtrip, true);
  const expected = { ...Object.fromEntries(rules.settings.map((s) => [s.key, s.default])), arch: '784-c4k3-p2-16-10', seed: 5 };
  assert.deepEqual(loaded.config, expected);

  // the same file with other configuration lines (the CRC fixed)
  const configAt = layout.paramsAt + 4 * layout.paramCount + 4; // after T = 0
  const withLines = (text) => {
    const lines = Buffer.from(text, 'latin1'), size = Buffer.alloc(4);
    size.writeUInt32LE(lines.length);
    return withFixedCrc(Buffer.concat([good.subarray(0, configAt), size, lines, Buffer.alloc(4)]));
  };
  const lines = Object.entries(layout.config).map(([k, v]) => `${k}=${v}\n`);
  const replaced = (key, line) => withLines(lines.map((l) => (l.startsWith(`${key}=`) ? line : l)).join(''));
  const loads = [
    ['a key this build does not know is skipped', withLines(`${lines.join('')}colour=red\n`), {}],
    ['a setting left out keeps the default preset\'s', replaced('lr', ''), {}],
    ['values in other spellings', replaced('lr', 'lr=5e-2\n'), { lr: 0.05 }],
    ['no configuration at all', withLines(''), { arch: '784-c4k3-p2-16-10', seed: 1 }],
  ];
  for (const [name, bytes, change] of loads) {
    await t.test(name, () => {
      const file = path.join(dir, `${name.replace(/\W+/g, '-')}.model`);
      fs.writeFileSync(file, bytes);
      const r = check(['model', file]);
      assert.equal(r.code, 'MNIST_OK', r.message);
      assert.deepEqual(r.config, { ...expected, ...change });
    });
  }
  const cases = [
    ['a line without =', withLines(`${lines.join('')}colour\n`), 'MNIST_E_MODEL_VALUE', /configuration line 19 is not key=value/],
    ['a last line without its newline', withLines(lines.join('').slice(0, -1)), 'MNIST_E_MODEL_VALUE', /line 18 is not/],
    ['a value its setting refuses', replaced('lr', 'lr=0\n'), 'MNIST_E_MODEL_VALUE', /configuration: learning rate must be > 0/],
    ['not a number', replaced('batch', 'batch=many\n'), 'MNIST_E_MODEL_VALUE', /batch size must be a whole number, got 'many'/],
    ['an unknown choice', replaced('optimizer', 'optimizer=rmsprop\n'), 'MNIST_E_MODEL_VALUE', /unknown optimizer 'rmsprop'/],
    ['an architecture other than its layers', replaced('arch', 'arch=784-16-10\n'), 'MNIST_E_MODEL_ARCH', /not the file's layers/],
    ['a NUL inside a value', replaced('arch', 'arch=784-c4k3\u0000-p2-16-10\n'), 'MNIST_E_MODEL_VALUE', /holds a NUL byte/],
    ['no stopping rule', replaced('epochs', 'epochs=0\n'), 'MNIST_E_MODEL_VALUE', /set epochs or iterations/],
    ['a configuration too long', (() => { const b = Buffer.from(good); b.writeUInt32LE(70000, configAt); return withFixedCrc(b); })(),
      'MNIST_E_MODEL_LENGTH', /configuration of 70000 bytes \(at most 65536\)/],
    ['cut before the configuration', good.subarray(0, configAt + 2), 'MNIST_E_MODEL_SHORT', /truncated before its configuration/],
  ];
  await expectRefused(t, dir, cases);
});

// ---- convolution and max-pooling (src/core/conv.c) ---------------------------------------

// The same bound as the dense layers' check. Measured: at worst about 3e-3 (an input
// gradient below the 1e-3 floor of the relative error, float rounding of the forward
// pass); the small CNN, differentiated through a double-precision forward pass, 3e-5.
test('conv gradient check: convolution, max-pool and a small CNN match finite differences', () => {
  const { results } = check(['convcheck']);
  const names = results.map((r) => r.name);
  for (const pad of [0, 1]) {
    for (const out of [4, 5]) { // one full group of 4 output channels; a full one and a partial one
      for (const part of ['weight', 'bias', 'input']) {
        const name = `conv.7x6x3.k3.pad${pad}.o${out}.${part}`;
        assert.ok(names.includes(name), `no gradient check for ${name}`);
      }
    }
  }
  const nets = ['cnn', 'cnn-fused']; // layer by layer; as passes.c runs a convolution before a 2x2 pool
  for (const name of ['maxpool.7x5x3.p2.input', ...nets.flatMap((net) => ['conv.weight', 'conv.bias', 'input',
    'dense.weight', 'dense.bias'].map((t) => `${net}.${t}`))]) {
    assert.ok(names.includes(name), `no gradient check for ${name}`);
  }
  for (const r of results) {
    assert.ok(r.checked >= 3 && r.skipped * 10 <= r.checked,
      `${r.name}: only ${r.checked} entries checked (${r.skipped} skipped)`);
    assert.ok(r.max_rel_error < GRAD_BOUND, `${r.name}: relative error ${r.max_rel_error}`);
  }
});

test('conv gradient check: a gradient 3% off, everywhere or in one entry per tensor, is caught', () => {
  for (const flag of ['--perturb', '--perturb-one']) {
    const { results } = check(['convcheck', flag, '0.03']);
    assert.ok(results.length >= 24);
    for (const r of results) {
      assert.ok(r.max_rel_error > GRAD_BOUND, `${flag} ${r.name}: a 3% error went unnoticed (${r.max_rel_error})`);
    }
  }
});

test('conv and max-pool forward passes agree with naive loops; conv+ReLU+pool at once equals them layer by layer; split work gives the same bits', () => {
  const r = check(['convparity']);
  assert.ok(r.conv.length >= 6);
  for (const c of r.conv) {
    // float sums of n terms stay within n * 2^-24 of the exact sum, relative to the
    // sum of the terms' magnitudes
    assert.ok(c.max_rel_diff <= c.terms * 2 ** -24, `${c.shape}: relative difference ${c.max_rel_diff}`);
    assert.ok(c.max_abs_diff < 1e-5, `${c.shape}: difference ${c.max_abs_diff}`);
  }
  for (const p of r.pool) {
    assert.equal(p.mismatches, 0, `${p.shape}: values, argmax or routed gradient differ`);
    assert.ok(p.tied_windows > 0, `${p.shape}: no ties, so the first-maximum rule went untested`);
  }
  assert.ok(r.fused.length >= 6);
  for (const f of r.fused) {
    assert.equal(f.mismatches, 0, `${f.shape}: conv_pool2_forward differs from conv, ReLU and pool in turn`);
    assert.ok(f.positive > 0, `${f.shape}: no positive window, so the argmax went untested`);
  }
  // The fused forward paths against double loops: the first layer's from its nonzero
  // pixels (a float sum in another order: within the bound), Winograd's (its transforms
  // round a few more times; measured at most 0.04 of the bound). A wrong kernel is off
  // by the values themselves.
  for (const method of ['winograd', 'scatter']) {
    assert.equal(r[method].length, 3);
    for (const w of r[method]) {
      assert.ok(w.fits, `${w.shape}: ${method} does not take it`);
      assert.ok(w.error_per_bound <= 1, `${method} ${w.shape}: ${w.error_per_bound}x a direct sum's bound off`);
    }
  }
  assert.equal(r.split_identical, true, 'splitting samples or output channels changed the bits');
});
