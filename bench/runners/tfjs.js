'use strict';
/**
 * TensorFlow.js 4.22.0 on one backend: `--backend wasm` (@tensorflow/tfjs-backend-wasm,
 * its single-threaded SIMD binary) or `--backend cpu` (plain JavaScript).
 * Never @tensorflow/tfjs-node.
 *
 * The network is written with the core API, the leanest way TF.js offers to
 * express the same math as the other implementations (no Layers-model
 * bookkeeping per batch): variables W (in x out, He-uniform) and b (zeros),
 *   logits = relu(X W1 + b1) W2 + b2,
 *   loss = tf.losses.softmaxCrossEntropy(oneHot(y), logits)   (mean over the batch),
 * minimised by tf.train.sgd(lr) (plain SGD, no momentum). Each batch's pixels
 * are turned into floats /255 in JavaScript and uploaded as a tensor (timed,
 * as every implementation's conversion is).
 *
 * With --recipe (the CNN rows): the same core-API style, NHWC:
 * tf.conv2d (stride 1, 'valid' or the layer's zero padding) + bias, ReLU;
 * tf.maxPool (P x P, stride P, 'valid'); dense layers on the flattened
 * features; tf.losses.softmaxCrossEntropy. Gradients by tf.variableGrads; the
 * update is the recipe's Adam with the one-cycle schedule written with tf ops
 * (PyTorch's formulas, beta1 cycling; tf.train.adam keeps beta1 and the rate
 * fixed and corrects the bias with the product of the beta1s it was given),
 * He-uniform weights (tf.randomUniform, seeded), zero biases. The wasm backend
 * is tried the same way: if a kernel the training step needs is not
 * registered there, the result says so (field `unsupported`, the library's own
 * error message), after checking that the forward pass alone works.
 */

const path = require('node:path');
const fs = require('node:fs');
const { pathToFileURL } = require('node:url');
const { parseArgs, loadMnist, runProtocol, runCnnProtocol, gatherBatch, fanIn, main, PIXELS, CLASSES } = require('./common');

const BENCH = path.resolve(__dirname, '..');
const WASM_DIST = path.join(BENCH, 'node_modules', '@tensorflow', 'tfjs-backend-wasm', 'dist');

main(async () => {
  const args = parseArgs();
  const backend = args.backend || 'wasm';
  if (!['wasm', 'cpu'].includes(backend)) throw new Error(`unknown backend ${backend} (wasm or cpu)`);

  // Record which .wasm file the backend really loads (to check it is the SIMD build).
  const wasmFilesRead = [];
  for (const name of ['readFileSync', 'readFile']) {
    const original = fs[name];
    fs[name] = function (file, ...rest) {
      const s = file instanceof URL ? file.href : String(file);
      if (s.endsWith('.wasm')) wasmFilesRead.push(path.basename(s));
      return original.call(this, file, ...rest);
    };
  }

  // The library greets Node users with advice to install tfjs-node; keep stderr quiet.
  const warn = console.warn;
  console.warn = (...m) => { if (!/tfjs-node/.test(String(m[0]))) warn(...m); };
  const tf = require('@tensorflow/tfjs');
  let wasmInfo = {};
  if (backend === 'wasm') {
    const wasmBackend = require('@tensorflow/tfjs-backend-wasm');
    // Node 20 has a global fetch() that cannot fetch plain paths; a file:// URL
    // makes the Emscripten loader read the file with fs instead.
    wasmBackend.setWasmPaths(`${pathToFileURL(WASM_DIST).href}/`);
    wasmBackend.setThreadsCount(1); // only used by the threaded build, which Node never picks
    const simd = await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT');
    const threadsSupported = await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT');
    wasmInfo = { simd, threads_supported: threadsSupported };
  }
  if (!(await tf.setBackend(backend))) throw new Error(`backend ${backend} failed to initialise`);
  await tf.ready();
  if (backend === 'wasm') {
    const wasmBackend = require('@tensorflow/tfjs-backend-wasm');
    wasmInfo.wasm_file = [...new Set(wasmFilesRead)].join(',');
    wasmInfo.wasm_threads = wasmBackend.getThreadsCount();
    if (!wasmInfo.wasm_file.includes('simd')) throw new Error(`tfjs-backend-wasm loaded ${wasmInfo.wasm_file || 'no file'}, not the SIMD build`);
  }
  tf.enableProdMode();

  const data = loadMnist(args.data);
  if (args.recipe) return cnn(args, tf, data, wasmInfo);
  const sizes = args.sizes;
  const xBuf = new Float32Array(args.batch * PIXELS);
  const yBuf = new Int32Array(args.batch);
  let seedCounter = 0;

  const impl = {
    create(seed) {
      const layers = [];
      for (let l = 0; l + 1 < sizes.length; l++) {
        const limit = Math.sqrt(6 / sizes[l]);
        layers.push({
          w: tf.variable(tf.randomUniform([sizes[l], sizes[l + 1]], -limit, limit, 'float32', seed * 100 + seedCounter++)),
          b: tf.variable(tf.zeros([sizes[l + 1]])),
        });
      }
      return { layers, optimizer: tf.train.sgd(args.lr) };
    },
    logits(net, x) {
      let a = x;
      net.layers.forEach((layer, l) => {
        const z = tf.add(tf.matMul(a, layer.w), layer.b);
        a = l + 1 < net.layers.length ? tf.relu(z) : z;
      });
      return a;
    },
    trainBatch(net, order, first, m) {
      gatherBatch(data.train.images, order, first, m, xBuf);
      for (let i = 0; i < m; i++) yBuf[i] = data.train.labels[order[first + i]];
      tf.tidy(() => {
        const x = tf.tensor2d(m === args.batch ? xBuf : xBuf.subarray(0, m * PIXELS), [m, PIXELS]);
        const y = tf.oneHot(tf.tensor1d(m === args.batch ? yBuf : yBuf.subarray(0, m), 'int32'), CLASSES);
        net.optimizer.minimize(() => tf.losses.softmaxCrossEntropy(y, impl.logits(net, x)));
      });
    },
    finish(net) {
      net.layers[net.layers.length - 1].b.dataSync(); // everything queued has run
    },
    accuracy(net) {
      const test = data.test;
      let correct = 0;
      const chunk = 1000;
      const buf = new Float32Array(chunk * PIXELS);
      for (let first = 0; first < test.count; first += chunk) {
        const m = Math.min(chunk, test.count - first);
        for (let i = 0; i < m * PIXELS; i++) buf[i] = test.images[first * PIXELS + i] / 255;
        const predicted = tf.tidy(() => tf.argMax(impl.logits(net, tf.tensor2d(buf.subarray(0, m * PIXELS), [m, PIXELS])), 1).dataSync());
        for (let i = 0; i < m; i++) correct += predicted[i] === test.labels[first + i];
      }
      return correct / test.count;
    },
    dispose(net) {
      for (const layer of net.layers) { layer.w.dispose(); layer.b.dispose(); }
      net.optimizer.dispose();
    },
    info() {
      return { backend: tf.getBackend(), tfjs_version: tf.version.tfjs, threads: 1, ...wasmInfo };
    },
  };
  return runProtocol(args, data, impl);
});

/** The CNN rows (see the top). */
async function cnn(args, tf, data, wasmInfo) {
  const { recipe, layers } = args;
  const batch = recipe.batch;
  const xBuf = new Float32Array(batch * PIXELS);
  const yBuf = new Int32Array(batch);
  let seedCounter = 0;
  const forward = (net, x) => tf.tidy(() => {
    let a = x;
    layers.forEach((layer, i) => {
      const p = net.params[i];
      if (layer.type === 'conv') {
        const pad = layer.pad ? [[0, 0], [layer.pad, layer.pad], [layer.pad, layer.pad], [0, 0]] : 'valid';
        a = tf.relu(tf.add(tf.conv2d(a, p.w, 1, pad), p.b));
      } else if (layer.type === 'pool') {
        a = tf.maxPool(a, layer.p, layer.p, 'valid');
      } else {
        if (a.rank > 2) a = tf.reshape(a, [a.shape[0], -1]);
        const z = tf.add(tf.matMul(a, p.w), p.b);
        a = i + 1 < layers.length ? tf.relu(z) : z;
      }
    });
    return a;
  });
  const impl = {
    create(seed) {
      const params = layers.map((layer) => {
        if (layer.type === 'pool') return null;
        const limit = Math.sqrt(6 / fanIn(layer));
        const shape = layer.type === 'conv' ? [layer.k, layer.k, layer.in[2], layer.filters] : [fanIn(layer), layer.units];
        const outs = shape[shape.length - 1];
        return {
          w: tf.variable(tf.randomUniform(shape, -limit, limit, 'float32', seed * 100 + seedCounter++)),
          b: tf.variable(tf.zeros([outs])),
        };
      });
      const vars = params.filter(Boolean).flatMap((p) => [p.w, p.b]);
      return {
        params, vars,
        m: vars.map((v) => tf.variable(tf.zerosLike(v), false)), v: vars.map((v) => tf.variable(tf.zerosLike(v), false)),
      };
    },
    trainStep(net, order, first, m, h) {
      gatherBatch(data.train.images, order, first, m, xBuf);
      for (let i = 0; i < m; i++) yBuf[i] = data.train.labels[order[first + i]];
      tf.tidy(() => {
        const x = tf.tensor4d(m === batch ? xBuf : xBuf.subarray(0, m * PIXELS), [m, 28, 28, 1]);
        const y = tf.oneHot(tf.tensor1d(m === batch ? yBuf : yBuf.subarray(0, m), 'int32'), CLASSES);
        const { grads } = tf.variableGrads(() => tf.losses.softmaxCrossEntropy(y, forward(net, x)), net.vars);
        const b1 = tf.scalar(h.beta1), b2 = tf.scalar(h.beta2), c1 = tf.scalar(1 - h.beta1), c2 = tf.scalar(1 - h.beta2);
        const stepSize = tf.scalar(h.lr / h.bc1), sqrtBc2 = tf.scalar(Math.sqrt(h.bc2)), eps = tf.scalar(h.eps);
        net.vars.forEach((v, k) => {
          const g = grads[v.name];
          const m1 = tf.add(tf.mul(b1, net.m[k]), tf.mul(c1, g));
          const m2 = tf.add(tf.mul(b2, net.v[k]), tf.mul(c2, tf.square(g)));
          net.m[k].assign(m1);
          net.v[k].assign(m2);
          v.assign(tf.sub(v, tf.div(tf.mul(stepSize, m1), tf.add(tf.div(tf.sqrt(m2), sqrtBc2), eps))));
        });
      });
    },
    correct(net, first, count) {
      const test = data.test;
      let correct = 0;
      const chunk = 1000;
      const buf = new Float32Array(chunk * PIXELS);
      for (let at = first; at < first + count; at += chunk) {
        const m = Math.min(chunk, first + count - at);
        for (let i = 0; i < m * PIXELS; i++) buf[i] = test.images[at * PIXELS + i] / 255;
        const predicted = tf.tidy(() => tf.argMax(forward(net, tf.tensor4d(buf.subarray(0, m * PIXELS), [m, 28, 28, 1])), 1).dataSync());
        for (let i = 0; i < m; i++) correct += predicted[i] === test.labels[at + i];
      }
      return correct;
    },
    info() {
      return { backend: tf.getBackend(), tfjs_version: tf.version.tfjs, threads: 1, ...wasmInfo };
    },
  };
  // Can this backend train the net at all? One training step on a throwaway network says.
  const probe = impl.create(recipe.seed + 1000);
  try {
    impl.trainStep(probe, Int32Array.from({ length: batch }, (_, i) => i), 0, batch,
      { lr: 0, beta1: 0.9, beta2: recipe.beta2, eps: recipe.eps, bc1: 1, bc2: 1 });
  } catch (err) {
    const message = String(err && err.message ? err.message : err);
    if (!/not registered|not yet implemented|not implemented/i.test(message)) throw err;
    const t0 = process.hrtime.bigint();
    const correct = impl.correct(probe, 0, data.test.count); // the forward pass alone
    return {
      unsupported: `cannot train this net: ${message}`,
      forward_pass: `works: a fresh network classifies the 10,000 test images (${correct} right) in `
        + `${(Number(process.hrtime.bigint() - t0) / 1e9).toFixed(2)} s`,
      ...impl.info(),
    };
  }
  return runCnnProtocol(args, data, impl);
}
