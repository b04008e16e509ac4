'use strict';
/**
 * CNN parity: one forward and backward pass of small convolutional networks
 * through the C core's own passes (core_check cnn-dump: nn_forward and
 * nn_backward, whatever kernels they run) against an independent float64
 * reference written in JavaScript from the math (tests/reference/cnn.js):
 * every layer's outputs, the probabilities and losses, every parameter
 * gradient (convolution and dense weights and biases) and the gradient with
 * respect to every layer's input activations but the pixels'.
 *
 * Tolerances, both from the rule that a float32 sum of n terms, in any order,
 * is within n 2^-24 of the exact sum relative to the sum of the terms'
 * magnitudes (tests/reference/cnn.js says how it carries through layers):
 *  - end to end: the reference computes everything from the pixels and the
 *    parameters alone, with the bound carried through the whole network
 *    (a worst case; the samples are those whose every ReLU and pool decision
 *    is clear of it, so float32 takes the same ones);
 *  - layer by layer: each layer recomputed by the reference from the C
 *    core's own inputs to it (its input activations, or the gradient from the
 *    layer above), so each bound is that layer's sums alone: tight enough
 *    that one gradient entry 1% off fails it (shown with --perturb-one).
 * Neither depends on the order of the sums, only on their lengths; a
 * convolution's allows for Winograd's roundings too, and a float32 Winograd
 * F(2x2,3x3) convolution of the same inputs is checked against it
 * (tests/reference/winograd.js; without that allowance it would exceed the
 * bound of a direct convolution).
 */

const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { test } = require('node:test');

const { BIN, MNIST_DIR, runBinary, tempDir, readGz } = require('./helpers');
const ref = require('./reference/cnn.js');
const { describeArch } = require('../scripts/lib/engine.js');
const { winogradConv } = require('./reference/winograd.js');

const CASES = [
  // two convolutions (padded 1, then unpadded), two 2x2 pools, a hidden dense layer;
  // 4 and 6 filters: a full group of 4 and a partial one
  { arch: '784-c4k3pad1-p2-c6k3-p2-12-10', batch: 4, seed: 1 },
  // a 5x5 kernel without padding, 3 filters; a 3x3 pool that drops a row and a column
  { arch: '784-c3k5-p2-c4k3-p3-10', batch: 5, seed: 2 },
];
const PERTURB = 0.01;

function dump(file, arch, extra = []) {
  const r = runBinary(BIN.asanCoreCheck, ['cnn-dump', arch, file, ...extra]);
  assert.equal(r.status, 0, `core_check cnn-dump ${arch} exited ${r.status}:\n${r.stderr}`);
  assert.equal(r.stderr, '', 'sanitizer or harness wrote to stderr');
  assert.ok(r.json, `no JSON from core_check cnn-dump: ${r.stdout.slice(0, 200)}`);
  return r.json;
}

/**
 * The network, float32 parameters from the seed, and the first `batch` MNIST
 * training images whose decisions are clear (see the header), written as
 * cnn-dump's input file.
 */
async function prepare(c, dir) {
  const net = ref.netOf(await describeArch(c.arch));
  const params32 = ref.makeParams(net, c.seed);
  const params = Float64Array.from(params32);
  const images = readGz(path.join(MNIST_DIR, 'train-images-idx3-ubyte.gz')).subarray(16);
  const allLabels = readGz(path.join(MNIST_DIR, 'train-labels-idx1-ubyte.gz')).subarray(8);
  const chosen = [];
  for (let i = 0; chosen.length < c.batch; i++) {
    assert.ok(i < 100, `${c.arch}: fewer than ${c.batch} of the first 100 images have clear decisions`);
    const f = ref.forward(net, params, images.subarray(i * 784, (i + 1) * 784), allLabels.subarray(i, i + 1), 1);
    if (f.decisions.relu > 1 && f.decisions.pool > 1) chosen.push(i);
  }
  const B = c.batch, pixels = new Uint8Array(B * 784), labels = new Uint8Array(B);
  chosen.forEach((i, b) => {
    pixels.set(images.subarray(i * 784, (i + 1) * 784), b * 784);
    labels[b] = allLabels[i];
  });
  const head = Buffer.alloc(8);
  head.writeUInt32LE(B, 0);
  head.writeUInt32LE(net.paramCount, 4);
  const file = path.join(dir, `${c.arch}.bin`);
  fs.writeFileSync(file, Buffer.concat([head, Buffer.from(pixels), Buffer.from(labels), Buffer.from(params32.buffer)]));
  return { net, params, pixels, labels, B, file, chosen };
}

/**
 * C values against a reference tensor { v, m, n } (n a number or per entry),
 * at the entries where keep(k) (all if not given). ratio: the largest error
 * over its bound n 2^-24 m (a bound of 0 demands equality).
 */
function compare(name, c, r, keep = null) {
  assert.equal(c.length, r.v.length, `${name}: ${c.length} values, the reference has ${r.v.length}`);
  let ratio = 0, maxAbs = 0, maxRef = 0, kept = 0;
  for (let k = 0; k < c.length; k++) {
    if (keep && !keep(k)) continue;
    kept++;
    const n = typeof r.n === 'number' ? r.n : r.n[k];
    const bound = n * ref.U * r.m[k], error = Math.abs(c[k] - r.v[k]);
    ratio = Math.max(ratio, bound > 0 ? error / bound : error > 0 ? Infinity : 0);
    maxAbs = Math.max(maxAbs, error);
    maxRef = Math.max(maxRef, Math.abs(r.v[k]));
  }
  return { name, ratio, maxAbs, relToMax: maxRef > 0 ? maxAbs / maxRef : 0, kept, maxRef };
}

/** A slice of the parameter-layout tensor g: entries [from, to). */
function part(g, from, to) {
  return { v: g.v.subarray(from, to), m: g.m.subarray(from, to), n: g.n.subarray(from, to) };
}

/** Each weight and bias tensor of the gradients compared, named like "conv1.weight". */
function compareGrads(net, grads, refGrads, layers = null) {
  const results = [];
  const counts = { conv: 0, dense: 0 };
  net.layers.forEach((ly, l) => {
    if (ly.kind === 'pool') return;
    const name = `${ly.kind}${++counts[ly.kind]}`;
    if (layers && !layers.includes(l)) return;
    results.push(compare(`${name}.weight`, grads.slice(ly.wOffset, ly.bOffset), part(refGrads, ly.wOffset, ly.bOffset)));
    results.push(compare(`${name}.bias`, grads.slice(ly.bOffset, ly.bOffset + ly.O), part(refGrads, ly.bOffset, ly.bOffset + ly.O)));
  });
  return results;
}

/**
 * The gradient tensors in cnn-dump's numbering (--perturb-one X T): each
 * layer's weights and biases, then the gradient wrt its input (after the first).
 */
function gradientNames(net, d) {
  const names = [], counts = { conv: 0, dense: 0 };
  net.layers.forEach((ly, l) => {
    if (ly.kind !== 'pool') {
      const base = `${ly.kind}${++counts[ly.kind]}`;
      names.push({ name: `${base}.weight`, layer: l + 1, tensor: 'weight' }, { name: `${base}.bias`, layer: l + 1, tensor: 'bias' });
    }
    // none for a pool whose input gradient the core never forms (see cnndump.c)
    if (l > 0 && d.dinput[l - 1] !== null) names.push({ name: `layer${l + 1}.${ly.text}.dinput`, layer: l + 1, tensor: 'dinput' });
  });
  return names;
}

/** The reference from the pixels and parameters alone, against the dump. */
function endToEnd(s, d) {
  const { net, params, pixels, labels, B } = s;
  const fwd = ref.forward(net, params, pixels, labels, B);
  const bwd = ref.backward(net, params, fwd, labels, B);
  const results = net.layers.map((ly, l) => compare(`layer${l + 1}.${ly.text}.output`, d.acts[l], fwd.steps[l].a));
  results.push(compare('losses', d.losses, fwd.loss));
  results.push(...compareGrads(net, d.grads, bwd.grads));
  for (let l = 1; l < net.layers.length; l++) {
    const active = d.acts[l - 1];
    if (d.dinput[l - 1] === null) continue; // never formed by the core (a pool after a convolution)
    results.push(compare(`layer${l + 1}.${net.layers[l].text}.dinput`, d.dinput[l - 1], bwd.dinput[l], (k) => active[k] > 0));
  }
  return { results, decisions: fwd.decisions };
}

/** Each layer recomputed from the C core's own inputs to it, against the dump. */
function layerByLayer(s, d) {
  const { net, params, pixels, labels, B } = s;
  const L = net.layers.length, results = [];
  const inputs = [ref.inputTensor(pixels, B), ...d.acts.slice(0, L - 1).map((a) => ref.exact(a))];
  const argmax = [];
  const ignore = { relu: Infinity, pool: Infinity }; // the C core's own inputs decide here
  net.layers.forEach((ly, l) => {
    const name = `layer${l + 1}.${ly.text}.output`;
    if (ly.kind === 'pool') {
      const { out, argmax: where } = ref.poolForward(inputs[l], ly, B, ignore);
      argmax[l] = where;
      if (l > 0 && net.layers[l - 1].kind === 'conv') {
        // the core pools a convolution's sums as it makes them (by Winograd's
        // transform where it fits), not its stored outputs: against the
        // reference's convolution of the core's input to it, with its bound
        const z = ref.convForward(inputs[l - 1], params, net.layers[l - 1], B);
        results.push(compare(name, d.acts[l], ref.poolForward(ref.reluForward(z, ignore), ly, B, ignore).out));
      } else {
        results.push(compare(name, d.acts[l], out));
      }
      return;
    }
    const z = ly.kind === 'conv' ? ref.convForward(inputs[l], params, ly, B) : ref.denseForward(inputs[l], params, ly, B);
    if (l < L - 1) {
      results.push(compare(name, d.acts[l], ref.reluForward(z, ignore)));
    } else {
      const { p, loss } = ref.softmaxCrossEntropy(z, labels, B);
      results.push(compare(name, d.acts[l], p));
      results.push(compare('losses', d.losses, loss));
    }
  });
  // backward: each layer from the gradient the C core passed down to it
  const grads = ref.gradTensor(net);
  let below = null; // the reference's gradient passed down by the layer above
  for (let l = L - 1; l >= 0; l--) {
    // the gradient at this layer's output: the core's, or where the core never formed
    // it (below a pool after a convolution) the reference's from the core's above
    const up = l < L - 1 && d.dinput[l] === null ? below : l < L - 1 ? ref.exact(d.dinput[l]) : null;
    const dz = l === L - 1 ? ref.softmaxBackward(ref.exact(d.acts[L - 1]), labels, B)
      // where the output is positive (a ReLU's zero, or a pool of them, passes nothing down)
      : ref.reluBackward(up, d.acts[l]);
    const dx = ref.layerBackward(net.layers[l], params, dz, inputs[l], B, grads, argmax[l], l > 0);
    below = dx;
    results.push(...compareGrads(net, d.grads, grads, [l]));
    if (l > 0 && d.dinput[l - 1] !== null) {
      const active = d.acts[l - 1];
      results.push(compare(`layer${l + 1}.${net.layers[l].text}.dinput`, d.dinput[l - 1], dx, (k) => active[k] > 0));
    }
  }
  return results;
}

/**
 * The bound admits other ways of summing: each 3x3 convolution computed from
 * the C core's input to it as a float32 Winograd F(2x2,3x3) convolution
 * (tests/reference/winograd.js), against the layer-by-layer bound.
 */
function winogradWithinBound(s, d) {
  const { net, params, pixels, B } = s;
  const results = [];
  net.layers.forEach((ly, l) => {
    if (ly.kind !== 'conv' || ly.K !== 3) return;
    const input = l === 0 ? ref.inputTensor(pixels, B) : ref.exact(d.acts[l - 1]);
    const bound = ref.reluForward(ref.convForward(input, params, ly, B), { relu: Infinity, pool: Infinity });
    const fast = winogradConv(input.v, params, ly, B).map((v) => (v > 0 ? v : 0));
    results.push(compare(`layer${l + 1}.${ly.text}.winograd`, fast, bound));
  });
  return results;
}

/** One diagnostic line per comparison, after a title line. */
function report(t, title, lines) {
  t.diagnostic(title);
  for (const line of lines) t.diagnostic(`  ${line}`);
}

function table(results) {
  return results.map((r) => `${r.name.padEnd(28)} error/bound ${r.ratio.toExponential(2)}  max error ${r.maxAbs.toExponential(2)}`
    + ` (${r.relToMax.toExponential(2)} of the largest |value|, ${r.kept} entries)`);
}

for (const c of CASES) {
  test(`cnn parity ${c.arch}, ${c.batch} MNIST samples: forward and backward match a float64 JavaScript reference`, async (t) => {
    const s = await prepare(c, tempDir(t));
    const d = dump(s.file, c.arch);
    assert.deepEqual(d.sizes, s.net.sizes, 'the core and the reference read the architecture differently');
    assert.equal(d.grads.length, s.net.paramCount);
    assert.equal(d.batch, s.B);

    // not vacuous: the ReLUs are partly on, every gradient tensor is non-zero
    s.net.layers.forEach((ly, l) => {
      if (!ly.relu) return;
      const on = d.acts[l].filter((v) => v > 0).length / d.acts[l].length;
      assert.ok(on > 0.02 && on < 0.98, `layer ${l + 1} (${ly.text}): ${(100 * on).toFixed(1)}% of its ReLUs on`);
    });

    const e2e = endToEnd(s, d);
    t.diagnostic(`samples ${s.chosen.join(', ')}; decisions clear of the bound by ${e2e.decisions.relu.toFixed(2)}x (ReLU), ${e2e.decisions.pool.toFixed(2)}x (pool)`);
    report(t, 'end to end (error/bound: the largest error over its float32 bound):', table(e2e.results));
    assert.ok(e2e.decisions.relu > 1 && e2e.decisions.pool > 1);
    for (const r of e2e.results) {
      assert.ok(r.kept > 0 && r.maxRef > 0, `${r.name}: nothing to compare`);
      assert.ok(r.ratio <= 1, `end to end, ${r.name}: error ${r.maxAbs} is ${r.ratio.toFixed(2)}x its float32 bound`);
    }
    const local = layerByLayer(s, d);
    report(t, 'layer by layer:', table(local));
    for (const r of local) {
      assert.ok(r.ratio <= 1, `layer by layer, ${r.name}: error ${r.maxAbs} is ${r.ratio.toFixed(2)}x its float32 bound`);
    }
    const winograd = winogradWithinBound(s, d);
    report(t, 'a float32 Winograd F(2x2,3x3) convolution of the same inputs, against the same bound:', table(winograd));
    assert.equal(winograd.length, s.net.layers.filter((ly) => ly.kind === 'conv' && ly.K === 3).length);
    for (const r of winograd) assert.ok(r.ratio <= 1, `${r.name}: ${r.ratio.toFixed(2)}x the bound`);
  });

  test(`cnn parity ${c.arch}: one gradient entry ${100 * PERTURB}% off, in any tensor, fails the comparison`, async (t) => {
    const s = await prepare(c, tempDir(t));
    const names = gradientNames(s.net, dump(s.file, c.arch, []));
    const lines = [];
    names.forEach(({ name, layer, tensor }, k) => {
      const d = dump(s.file, c.arch, ['--perturb-one', String(PERTURB), String(k)]);
      assert.equal(d.perturb, PERTURB);
      assert.deepEqual(d.perturbed, { layer, tensor }, `gradient tensor ${k} should be ${name}`);
      const local = layerByLayer(s, d);
      const hit = local.find((r) => r.name === name);
      const e2e = endToEnd(s, d).results.find((r) => r.name === name);
      lines.push(`${name.padEnd(28)} layer by layer: error/bound ${hit.ratio.toExponential(2)}; end to end ${e2e.ratio.toExponential(2)}`);
      assert.ok(hit.ratio > 1, `${name}: an entry ${100 * PERTURB}% off went unnoticed (error/bound ${hit.ratio})`);
      // the forward pass is untouched, and still passes
      for (const r of local.filter((x) => x.name.endsWith('.output') || x.name === 'losses')) assert.ok(r.ratio <= 1, r.name);
    });
    report(t, `one entry ${100 * PERTURB}% off, tensor by tensor:`, lines);
  });
}
