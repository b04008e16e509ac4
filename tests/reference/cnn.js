'use strict';
/**
 * An independent float64 reference of a convolutional network, written from the
 * math in plain loops (not from src/core): the core's description of an architecture
 * -> shapes and parameter layout, forward pass, backward pass. Used by tests/cnn-parity.test.js.
 *
 * Conventions (those of src/mnist.h): images NHWC (row, column, channel), the
 * input 28x28x1 with pixel / 255; a convolution has O filters of K x K x C
 * (weights (O,K,K,C) then O biases), stride 1, `pad` zeros on every side, ReLU
 * after it; a pool takes the maximum of each P x P window, stride P (rows and
 * columns left over dropped; the first maximum in row-major window order wins a
 * tie); a dense layer W (O,I) row-major then b (O), reading its input flattened,
 * ReLU after it unless it is the last, which is softmax + cross-entropy.
 * Gradients are sums over the samples (not means).
 *
 * Every tensor carries, besides its values v, an error scale: m (per entry) and
 * n (per tensor; per entry for the parameter gradients), such that a float32
 * computation of the same network, summing in any order, is within
 * n * 2^-24 * m of v. The rule (Higham's bound for a float inner product or sum
 * of n terms: within about n u of the exact one, relative to the sum of the
 * terms' magnitudes; u = 2^-24), applied layer by layer:
 *   y = sum of n terms x_i w_i  ->  |error(y)| <= sum |w_i| |error(x_i)| + n u sum |w_i x_i|,
 * so with m(y) = sum |w_i| m(x_i) (>= sum |w_i x_i|, since m >= |v|) the inputs'
 * bound carries over: n(y) = n(x) + n. A product of two computed tensors (a
 * weight gradient: dz times an activation) adds both inputs' n. ReLU and the
 * pool pass errors through unchanged, as long as every decision (a ReLU's sign,
 * a pool's argmax) is the same in float32: `decisions` reports the smallest
 * margin by which they are clear of that bound. Softmax: dp_i = p_i (dz_i -
 * sum_j p_j dz_j), so |error(p_i)| <= 2 p_i max_j |error(z_j)|, plus the
 * roundings of z - max, exp (2 ulps), the sum of 10 and the division (16 u).
 * A fast convolution (Winograd F(2x2,3x3)) rounds differently from a direct
 * one: it computes each 2x2 block of outputs together from one 4x4 input tile,
 * through transforms (sums of up to 4 and 9 terms, with weights of 1 and 1/2),
 * so its error follows the block's magnitudes rather than each output's own.
 * The allowance for it: a convolution's output takes as m the largest of its
 * 3x3 neighbourhood's (every 2x2 block that contains it), and 16 more terms in n.
 *
 * Fed a computed tensor as exact (exact(): m = |v|, n = 0), a layer function
 * gives the bound of that layer's own sums alone: the test's layer-by-layer check.
 */

// mulberry32, seeded uniform [0, 1), for the parameters
const { rng } = require('../../bench/runners/common.js');

const U = 2 ** -24;
const WINOGRAD_TERMS = 16;
const SOFTMAX_TERMS = 16;

/** A tensor: values v, per-entry error scale m, and the count n. */
function tensor(size, n = 0) {
  return { v: new Float64Array(size), m: new Float64Array(size), n };
}

/**
 * The core's description of an architecture (scripts/lib/engine.js describeArch:
 * mnist_arch_describe's tokens and layers, the input first; the grammar's one home is
 * the core) -> layers with their shapes and parameter offsets, which this reference
 * lays out itself. Throws on anything this reference does not model.
 */
function netOf({ tokens, layers: described }) {
  const text = tokens.join('-');
  if (described[0].kind !== 'input' || described[0].size !== 784) throw new Error(`${text}: the input must be 784`);
  let shape = { H: 28, W: 28, C: 1 }; // null once flattened by a dense layer
  let size = 784, offset = 0;
  const layers = [];
  described.slice(1).forEach((d, index) => {
    const last = index === described.length - 2;
    const layer = { text: tokens[index + 1], kind: d.kind, inSize: size, inShape: shape };
    if (d.kind === 'conv') {
      const O = d.filters, K = d.kernel, pad = d.pad;
      if (!shape) throw new Error(`${text}: layer ${index + 1}, a convolution after a dense layer`);
      Object.assign(layer, { O, K, pad, outShape: { H: shape.H + 2 * pad - K + 1, W: shape.W + 2 * pad - K + 1, C: O }, relu: true });
      layer.wOffset = offset; offset += O * K * K * shape.C;
      layer.bOffset = offset; offset += O;
    } else if (d.kind === 'pool') {
      const P = d.kernel;
      if (!shape) throw new Error(`${text}: layer ${index + 1}, a pool after a dense layer`);
      Object.assign(layer, { P, outShape: { H: Math.floor(shape.H / P), W: Math.floor(shape.W / P), C: shape.C } });
    } else if (d.kind === 'dense') {
      const O = d.size;
      Object.assign(layer, { O, outShape: null, relu: !last });
      layer.wOffset = offset; offset += O * size;
      layer.bOffset = offset; offset += O;
    } else {
      throw new Error(`${text}: layer ${index + 1} is a ${d.kind}, which this reference does not model`);
    }
    layer.outSize = layer.outShape ? layer.outShape.H * layer.outShape.W * layer.outShape.C : layer.O;
    if (layer.outSize !== d.size) throw new Error(`${text}: layer ${index + 1} outputs ${layer.outSize} values here, ${d.size} in the core`);
    shape = layer.outShape;
    size = layer.outSize;
    layers.push(layer);
  });
  if (size !== 10 || layers[layers.length - 1].kind !== 'dense') throw new Error(`${text}: must end in a dense 10`);
  return { text, layers, paramCount: offset, sizes: [784, ...layers.map((l) => l.outSize)] };
}

// ---- forward, one layer each: (input tensor, params, layer, B) -> output(s) ----------

function convForward(x, params, ly, B) {
  const { H, W, C } = ly.inShape, { H: OH, W: OW } = ly.outShape, { O, K, pad } = ly;
  const z = tensor(B * OH * OW * O, x.n + K * K * C + 1 + WINOGRAD_TERMS);
  const own = new Float64Array(z.v.length);
  for (let b = 0; b < B; b++) {
    for (let y = 0; y < OH; y++) {
      for (let xo = 0; xo < OW; xo++) {
        for (let o = 0; o < O; o++) {
          const bias = params[ly.bOffset + o];
          let s = bias, mag = Math.abs(bias);
          for (let ky = 0; ky < K; ky++) {
            const iy = y + ky - pad;
            if (iy < 0 || iy >= H) continue; // a zero of the padding
            for (let kx = 0; kx < K; kx++) {
              const ix = xo + kx - pad;
              if (ix < 0 || ix >= W) continue;
              for (let c = 0; c < C; c++) {
                const w = params[ly.wOffset + ((o * K + ky) * K + kx) * C + c];
                const i = ((b * H + iy) * W + ix) * C + c;
                s += w * x.v[i];
                mag += Math.abs(w) * x.m[i];
              }
            }
          }
          const k = ((b * OH + y) * OW + xo) * O + o;
          z.v[k] = s;
          own[k] = mag;
        }
      }
    }
  }
  // the largest m of each output's 3x3 neighbourhood (see the header: Winograd blocks)
  for (let b = 0; b < B; b++) {
    for (let y = 0; y < OH; y++) {
      for (let xo = 0; xo < OW; xo++) {
        for (let o = 0; o < O; o++) {
          let mag = 0;
          for (let dy = -1; dy <= 1; dy++) {
            for (let dx = -1; dx <= 1; dx++) {
              const yy = y + dy, xx = xo + dx;
              if (yy >= 0 && yy < OH && xx >= 0 && xx < OW) mag = Math.max(mag, own[((b * OH + yy) * OW + xx) * O + o]);
            }
          }
          z.m[((b * OH + y) * OW + xo) * O + o] = mag;
        }
      }
    }
  }
  return z;
}

function denseForward(x, params, ly, B) {
  const I = ly.inSize, O = ly.O;
  const z = tensor(B * O, x.n + I + 1);
  for (let b = 0; b < B; b++) {
    for (let o = 0; o < O; o++) {
      const bias = params[ly.bOffset + o];
      let s = bias, mag = Math.abs(bias);
      for (let i = 0; i < I; i++) {
        const w = params[ly.wOffset + o * I + i];
        s += w * x.v[b * I + i];
        mag += Math.abs(w) * x.m[b * I + i];
      }
      z.v[b * O + o] = s;
      z.m[b * O + o] = mag;
    }
  }
  return z;
}

/** ReLU; `margins` collects |z| / bound of every unit that is not exactly zero-input. */
function reluForward(z, decisions) {
  const a = tensor(z.v.length, z.n);
  for (let k = 0; k < z.v.length; k++) {
    const on = z.v[k] > 0;
    a.v[k] = on ? z.v[k] : 0;
    a.m[k] = on ? z.m[k] : 0; // off in float32 too (the margin says so): exactly 0 there
    const bound = z.n * U * z.m[k];
    decisions.relu = Math.min(decisions.relu, Math.abs(z.v[k]) / (bound || Number.MIN_VALUE));
  }
  return a;
}

function poolForward(x, ly, B, decisions) {
  const { H, W, C } = ly.inShape, { H: OH, W: OW } = ly.outShape, P = ly.P;
  const out = tensor(B * OH * OW * C, x.n);
  const argmax = new Int32Array(out.v.length);
  for (let b = 0; b < B; b++) {
    for (let y = 0; y < OH; y++) {
      for (let xo = 0; xo < OW; xo++) {
        for (let c = 0; c < C; c++) {
          let best = -1;
          for (let dy = 0; dy < P; dy++) {
            for (let dx = 0; dx < P; dx++) {
              const i = ((b * H + y * P + dy) * W + xo * P + dx) * C + c;
              if (best < 0 || x.v[i] > x.v[best]) best = i; // strictly greater: the first maximum stays
            }
          }
          // every rival must be below the maximum by more than both their bounds
          // (rivals that are exact zeros, like the maximum, cannot move)
          for (let dy = 0; dy < P; dy++) {
            for (let dx = 0; dx < P; dx++) {
              const i = ((b * H + y * P + dy) * W + xo * P + dx) * C + c;
              const bound = x.n * U * (x.m[i] + x.m[best]);
              if (i !== best && bound > 0) decisions.pool = Math.min(decisions.pool, (x.v[best] - x.v[i]) / bound);
            }
          }
          const k = ((b * OH + y) * OW + xo) * C + c;
          out.v[k] = x.v[best];
          out.m[k] = x.m[best];
          argmax[k] = best;
        }
      }
    }
  }
  return { out, argmax };
}

function softmaxCrossEntropy(z, labels, B) {
  const p = tensor(B * 10, z.n + SOFTMAX_TERMS);
  const loss = tensor(B, z.n + SOFTMAX_TERMS);
  for (let b = 0; b < B; b++) {
    let max = -Infinity, maxM = 0, sum = 0;
    for (let j = 0; j < 10; j++) {
      max = Math.max(max, z.v[b * 10 + j]);
      maxM = Math.max(maxM, z.m[b * 10 + j]);
    }
    for (let j = 0; j < 10; j++) sum += Math.exp(z.v[b * 10 + j] - max);
    for (let j = 0; j < 10; j++) {
      p.v[b * 10 + j] = Math.exp(z.v[b * 10 + j] - max) / sum;
      p.m[b * 10 + j] = p.v[b * 10 + j] * (2 * maxM + 1);
    }
    // -log p_y = log sum exp(z - max) - (z_y - max): moves by at most 2 max |error(z)|
    loss.v[b] = Math.log(sum) - (z.v[b * 10 + labels[b]] - max);
    loss.m[b] = 2 * maxM + loss.v[b] + 1;
  }
  return { p, loss };
}

/** The input, pixel / 255: rounded once to float32 (twice if computed as pixel times 1/255). */
function inputTensor(pixels, B) {
  const x = tensor(B * 784, 2);
  for (let k = 0; k < B * 784; k++) x.v[k] = x.m[k] = pixels[k] / 255;
  return x;
}

/**
 * The forward pass: pixels (B x 784 bytes), labels (B), params (float64 copies
 * of the float32 parameters). Returns per layer { z, a, argmax } (a: the layer's
 * output, the probabilities for the last), the losses, and `decisions`: the
 * smallest ratio, over every ReLU and every pool window, of its margin to the
 * error bound (above 1: float32 takes the same decisions).
 */
function forward(net, params, pixels, labels, B) {
  const x = inputTensor(pixels, B);
  const decisions = { relu: Infinity, pool: Infinity };
  const steps = [];
  let a = x;
  for (const ly of net.layers) {
    const step = { input: a };
    if (ly.kind === 'pool') {
      const { out, argmax } = poolForward(a, ly, B, decisions);
      step.argmax = argmax;
      step.a = out;
    } else {
      step.z = ly.kind === 'conv' ? convForward(a, params, ly, B) : denseForward(a, params, ly, B);
      step.a = ly.relu ? reluForward(step.z, decisions) : null;
    }
    steps.push(step);
    a = step.a;
  }
  const lastZ = steps[steps.length - 1].z;
  const { p, loss } = softmaxCrossEntropy(lastZ, labels, B);
  steps[steps.length - 1].a = p;
  return { steps, probs: p, loss, decisions };
}

// ---- backward -----------------------------------------------------------------------

/** The parameter gradients' tensor: n per entry (its sums differ in length). */
function gradTensor(net) {
  return { v: new Float64Array(net.paramCount), m: new Float64Array(net.paramCount), n: new Float64Array(net.paramCount) };
}

/** dLoss/dlogits = p - onehot(label), from the probabilities p (B, 10). */
function softmaxBackward(p, labels, B) {
  const dz = tensor(B * 10, p.n + 1);
  for (let b = 0; b < B; b++) {
    for (let j = 0; j < 10; j++) {
      const y = labels[b] === j ? 1 : 0;
      dz.v[b * 10 + j] = p.v[b * 10 + j] - y;
      dz.m[b * 10 + j] = p.m[b * 10 + j] + y;
    }
  }
  return dz;
}

/**
 * Layer l's backward pass: from dz (dLoss/d its pre-activation, or a pool's
 * output) and x (its input), its parameter gradients (summed over the B
 * samples, written into grads) and, returned, dLoss/dx (when wantInput).
 * argmax: a pool's, from the forward pass.
 */
function layerBackward(ly, params, dz, x, B, grads, argmax, wantInput) {
  if (ly.kind === 'dense') {
    const I = ly.inSize, O = ly.O;
    for (let o = 0; o < O; o++) {
      let sb = 0, mb = 0;
      for (let b = 0; b < B; b++) { sb += dz.v[b * O + o]; mb += dz.m[b * O + o]; }
      setGrad(grads, ly.bOffset + o, sb, mb, dz.n + B);
      for (let i = 0; i < I; i++) {
        let s = 0, mag = 0;
        for (let b = 0; b < B; b++) {
          s += dz.v[b * O + o] * x.v[b * I + i];
          mag += dz.m[b * O + o] * x.m[b * I + i];
        }
        setGrad(grads, ly.wOffset + o * I + i, s, mag, dz.n + x.n + B);
      }
    }
    if (!wantInput) return null;
    const dx = tensor(B * I, dz.n + O);
    for (let b = 0; b < B; b++) {
      for (let i = 0; i < I; i++) {
        let s = 0, mag = 0;
        for (let o = 0; o < O; o++) {
          const w = params[ly.wOffset + o * I + i];
          s += dz.v[b * O + o] * w;
          mag += dz.m[b * O + o] * Math.abs(w);
        }
        dx.v[b * I + i] = s;
        dx.m[b * I + i] = mag;
      }
    }
    return dx;
  }
  if (ly.kind === 'conv') {
    const { H, W, C } = ly.inShape, { H: OH, W: OW } = ly.outShape, { O, K, pad } = ly;
    const at = (b, y, xo, o) => ((b * OH + y) * OW + xo) * O + o;
    for (let o = 0; o < O; o++) {
      let sb = 0, mb = 0;
      for (let b = 0; b < B; b++) {
        for (let y = 0; y < OH; y++) {
          for (let xo = 0; xo < OW; xo++) { sb += dz.v[at(b, y, xo, o)]; mb += dz.m[at(b, y, xo, o)]; }
        }
      }
      setGrad(grads, ly.bOffset + o, sb, mb, dz.n + B * OH * OW);
      // dW[o][ky][kx][c] = sum over samples and output pixels of dz times the input it saw
      for (let ky = 0; ky < K; ky++) {
        for (let kx = 0; kx < K; kx++) {
          for (let c = 0; c < C; c++) {
            let s = 0, mag = 0;
            for (let b = 0; b < B; b++) {
              for (let y = 0; y < OH; y++) {
                const iy = y + ky - pad;
                if (iy < 0 || iy >= H) continue;
                for (let xo = 0; xo < OW; xo++) {
                  const ix = xo + kx - pad;
                  if (ix < 0 || ix >= W) continue;
                  const i = ((b * H + iy) * W + ix) * C + c;
                  s += dz.v[at(b, y, xo, o)] * x.v[i];
                  mag += dz.m[at(b, y, xo, o)] * x.m[i];
                }
              }
            }
            setGrad(grads, ly.wOffset + ((o * K + ky) * K + kx) * C + c, s, mag, dz.n + x.n + B * OH * OW);
          }
        }
      }
    }
    if (!wantInput) return null;
    // each input pixel gathers from the outputs whose windows cover it
    const dx = tensor(B * H * W * C, dz.n + O * K * K);
    for (let b = 0; b < B; b++) {
      for (let iy = 0; iy < H; iy++) {
        for (let ix = 0; ix < W; ix++) {
          for (let c = 0; c < C; c++) {
            let s = 0, mag = 0;
            for (let ky = 0; ky < K; ky++) {
              const y = iy + pad - ky;
              if (y < 0 || y >= OH) continue;
              for (let kx = 0; kx < K; kx++) {
                const xo = ix + pad - kx;
                if (xo < 0 || xo >= OW) continue;
                for (let o = 0; o < O; o++) {
                  const w = params[ly.wOffset + ((o * K + ky) * K + kx) * C + c];
                  s += dz.v[at(b, y, xo, o)] * w;
                  mag += dz.m[at(b, y, xo, o)] * Math.abs(w);
                }
              }
            }
            const i = ((b * H + iy) * W + ix) * C + c;
            dx.v[i] = s;
            dx.m[i] = mag;
          }
        }
      }
    }
    return dx;
  }
  // max-pool: each output's gradient goes to its window's (first) maximum, 0 elsewhere
  const dx = tensor(x.v.length, dz.n);
  for (let k = 0; k < dz.v.length; k++) {
    dx.v[argmax[k]] = dz.v[k];
    dx.m[argmax[k]] = dz.m[k];
  }
  return dx;
}

/** Through a ReLU: dLoss/dz = dLoss/da where the unit is on (z > 0, or a > 0), else 0. */
function reluBackward(da, on) {
  const dz = tensor(da.v.length, da.n);
  for (let k = 0; k < da.v.length; k++) {
    dz.v[k] = on[k] > 0 ? da.v[k] : 0;
    dz.m[k] = on[k] > 0 ? da.m[k] : 0;
  }
  return dz;
}

/**
 * The backward pass after forward(): returns grads (in the parameter layout,
 * sums over the B samples; n per entry) and dinput[l], dLoss/d the input of
 * layer l for l >= 1 (dinput[0] is null: the pixels get none).
 */
function backward(net, params, fwd, labels, B) {
  const L = net.layers.length;
  const grads = gradTensor(net);
  const dinput = new Array(L).fill(null);
  let dz = softmaxBackward(fwd.probs, labels, B);
  for (let l = L - 1; l >= 0; l--) {
    const step = fwd.steps[l];
    const dx = layerBackward(net.layers[l], params, dz, step.input, B, grads, step.argmax, l > 0);
    if (l === 0) break;
    dinput[l] = dx;
    // below a ReLU, its mask; below a pool, the pool's output gradient is dz as it is
    dz = net.layers[l - 1].relu ? reluBackward(dx, fwd.steps[l - 1].z.v) : dx;
  }
  return { grads, dinput };
}

/** A computed tensor taken as exact: values v, m = |v|, n = 0. */
function exact(values) {
  const t = tensor(values.length, 0);
  for (let k = 0; k < values.length; k++) {
    t.v[k] = values[k];
    t.m[k] = Math.abs(values[k]);
  }
  return t;
}

function setGrad(grads, k, v, m, n) {
  grads.v[k] = v;
  grads.m[k] = m;
  grads.n[k] = n;
}

/**
 * Parameters (float32 values, as the core stores them) from a seed: weights
 * He-uniform U(-sqrt(6/fan_in), +sqrt(6/fan_in)); a convolution's biases
 * negative, U(-0.12, -0.02), so that blank regions of the image give outputs
 * exactly off (bias < 0) in every implementation, and dense biases U(-0.2, 0.2).
 */
function makeParams(net, seed) {
  const rand = rng(seed);
  const params = new Float32Array(net.paramCount);
  for (const ly of net.layers) {
    if (ly.kind === 'pool') continue;
    const fanIn = ly.kind === 'conv' ? ly.K * ly.K * ly.inShape.C : ly.inSize;
    const limit = Math.sqrt(6 / fanIn);
    for (let k = ly.wOffset; k < ly.bOffset; k++) params[k] = (2 * rand() - 1) * limit;
    for (let o = 0; o < ly.O; o++) {
      params[ly.bOffset + o] = ly.kind === 'conv' ? -0.02 - 0.1 * rand() : 0.4 * rand() - 0.2;
    }
  }
  return params;
}

module.exports = {
  U, netOf, forward, backward, makeParams, exact, inputTensor, gradTensor,
  convForward, denseForward, reluForward, poolForward, softmaxCrossEntropy, softmaxBackward, layerBackward, reluBackward,
};
