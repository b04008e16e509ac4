'use strict';
/**
 * The straightforward C baseline (bench/naive.c: plain i-j-k triple loops)
 * built with emcc -O3 -msimd128 -ffp-contract=off as a standalone module
 * (build/bench/naive.wasm, no JS glue), one thread. Only 784-H-10 networks.
 *
 * The training set's pixels and labels are copied into the module's memory
 * once (not timed); each step passes the module the indices of its batch in
 * the shuffled order, and naive_train_batch gathers them and scales /255.
 */

const fs = require('node:fs');
const path = require('node:path');
const { parseArgs, loadMnist, runProtocol, main, ROOT } = require('./common');

main(async () => {
  const args = parseArgs();
  if (args.sizes.length !== 3) throw new Error('the naive baseline is 784-H-10 only');
  const wasmFile = args.wasm || path.join(ROOT, 'build', 'bench', 'naive.wasm');
  const { instance } = await WebAssembly.instantiate(fs.readFileSync(wasmFile), {
    env: { emscripten_notify_memory_growth() {} },
  });
  const x = instance.exports;
  x._initialize();
  const data = loadMnist(args.data);

  const copyIn = (bytes) => {
    const ptr = x.naive_alloc(bytes.byteLength);
    if (!ptr) throw new Error(`out of WebAssembly memory for ${bytes.byteLength} bytes`);
    new Uint8Array(x.memory.buffer, ptr, bytes.byteLength).set(bytes);
    return ptr;
  };
  const train = { images: copyIn(data.train.images), labels: copyIn(data.train.labels) };
  const test = { images: copyIn(data.test.images), labels: copyIn(data.test.labels) };
  const orderPtr = x.naive_alloc(data.train.count * 4);
  let orderSource = null;

  const impl = {
    create(seed) {
      if (x.naive_init(args.sizes[1], args.batch, seed) !== 0) throw new Error('out of WebAssembly memory');
      return {};
    },
    trainBatch(net, order, first, m) {
      if (orderSource !== order) { // a new epoch's order: copy it in once
        new Int32Array(x.memory.buffer, orderPtr, order.length).set(order);
        orderSource = order;
      }
      x.naive_train_batch(train.images, train.labels, orderPtr + first * 4, m, args.lr);
    },
    accuracy() {
      return x.naive_evaluate(test.images, test.labels, data.test.count) / data.test.count;
    },
    info() {
      return { threads: 1, train_loss: x.naive_train_loss() };
    },
  };
  return runProtocol(args, data, impl);
});
