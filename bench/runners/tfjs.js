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
 */

const path = require('node:path');
const fs = require('node:fs');
const { pathToFileURL } = require('node:url');
const { parseArgs, loadMnist, runProtocol, gatherBatch, main, PIXELS, CLASSES } = require('./common');

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
