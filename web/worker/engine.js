/* engine.js - the C core's WebAssembly module as a JavaScript object.
 *
 * Used by the worker (web/worker.js; the build concatenates the two into the
 * worker's source) and by the Node tests (require('../web/js/engine.js')).
 * It instantiates mnist.wasm itself (a standalone module with one import),
 * copies data in, and reads results out of the module's memory. Every method
 * throws an Error with the core's message when the core reports a failure.
 *
 *   const engine = await MnistEngine.create(wasmBytes);
 *   engine.loadSet('train', images, labels, { images: 'train-images…', labels: '…' });
 *   engine.configure({ arch: [784, 128, 10], init: 'he', seed: 1, batch: 64, lr: 0.1,
 *                      momentum: 0.9, weightDecay: 0, lrDecay: 0.3 });
 *   const progress = engine.train(4096);     // one slice: call again and again
 *   const result = engine.evaluate('test');  // { accuracy, loss, confusion, ... }
 */
'use strict';

(function (root) {
  const SETS = { train: 0, test: 1 };
  const INITS = { he: 0, seed: 1 };
  const PIXELS = 784;
  const CLASSES = 10;

  function setIndex(set) {
    if (!(set in SETS)) throw new Error(`unknown dataset '${set}' (expected train or test)`);
    return SETS[set];
  }

  // The threaded module's shared memory, as the Makefile's MT_FLAGS declare it
  // (16 MiB initial, 1 GiB maximum, in 64 KiB pages).
  const THREADED_MEMORY_PAGES = { initial: 256, maximum: 16384 };
  const HELPER_STACK_BYTES = 1 << 16;

  /* A helper thread: instantiates the module on the shared memory, moves its
   * C stack to its own region, and parks in wasm_helper_loop (never returns). */
  function helperMain() {
    const inNode = typeof self === 'undefined';
    const port = inNode ? require('node:worker_threads').parentPort : self;
    const start = (m) => {
      const env = { memory: m.memory, emscripten_notify_memory_growth() {} };
      const instance = new WebAssembly.Instance(m.module, { env });
      instance.exports.stackRestore(m.stackTop);
      port.postMessage('ready');
      instance.exports.wasm_helper_loop(m.id);
    };
    if (inNode) port.once('message', start); else self.onmessage = (e) => start(e.data);
  }

  function startHelper() {
    const source = `(${helperMain.toString()})();`;
    if (typeof Worker === 'function' && typeof Blob === 'function' && typeof URL.createObjectURL === 'function') {
      const worker = new Worker(URL.createObjectURL(new Blob([source], { type: 'text/javascript' })));
      return { worker, send: (m) => worker.postMessage(m), onReady: (fn) => { worker.onmessage = fn; }, stop: () => worker.terminate() };
    }
    const { Worker: NodeWorker } = require('node:worker_threads');
    const worker = new NodeWorker(source, { eval: true });
    worker.unref();
    return { worker, send: (m) => worker.postMessage(m), onReady: (fn) => worker.once('message', fn), stop: () => worker.terminate() };
  }

  /** Whether this context may share memory between threads (browsers: only when cross-origin isolated). */
  function canShareMemory() {
    if (typeof SharedArrayBuffer !== 'function') return false;
    return typeof crossOriginIsolated === 'undefined' || crossOriginIsolated === true;
  }

  class MnistEngine {
    /**
     * options.threads > 1 with options.threadedWasm (mnist-mt.wasm) runs the
     * layers' big products on that many threads when memory can be shared;
     * otherwise (or if starting threads fails) the one-thread module runs.
     * Results are the same bits either way. engine.threads says which.
     */
    static async create(wasmBytes, options = {}) {
      const threads = Math.max(1, Math.floor(options.threads || 1));
      if (threads > 1 && options.threadedWasm && canShareMemory()) {
        try {
          return await MnistEngine.createThreaded(options.threadedWasm, threads);
        } catch (error) {
          if (options.onThreadError) options.onThreadError(error);
        }
      }
      const module = await WebAssembly.compile(wasmBytes);
      // The module's single import tells us when memory grew; views are
      // re-created on every access anyway, so there is nothing to do.
      const imports = { env: { emscripten_notify_memory_growth() {} } };
      const instance = await WebAssembly.instantiate(module, imports);
      return new MnistEngine(instance.exports, instance.exports.memory, []);
    }

    static async createThreaded(wasmBytes, threads) {
      const module = await WebAssembly.compile(wasmBytes);
      const memory = new WebAssembly.Memory({ ...THREADED_MEMORY_PAGES, shared: true });
      const instance = await WebAssembly.instantiate(module, { env: { memory, emscripten_notify_memory_growth() {} } });
      const engine = new MnistEngine(instance.exports, memory, []);
      try {
        const starts = [];
        for (let id = 1; id < threads; id++) {
          const stack = engine.x.wasm_alloc(HELPER_STACK_BYTES);
          const helper = startHelper();
          engine.helpers.push(helper);
          starts.push(new Promise((resolve, reject) => {
            helper.onReady(() => resolve());
            const fail = (e) => reject(new Error(`a helper thread failed to start: ${e.message || e}`));
            if (helper.worker.addEventListener) helper.worker.addEventListener('error', fail); else helper.worker.once('error', fail);
          }));
          helper.send({ module, memory, id, stackTop: stack + HELPER_STACK_BYTES });
        }
        await Promise.all(starts);
      } catch (error) {
        engine.destroy();
        throw error;
      }
      engine.x.wasm_set_helpers(threads - 1);
      return engine;
    }

    constructor(exports, memory, helpers) {
      this.x = exports;
      this.memory = memory;
      this.helpers = helpers;
      this.x._initialize();
    }

    /** Threads that compute (1 for the one-thread module). */
    get threads() { return this.x.wasm_threads ? this.x.wasm_threads() : 1; }

    /** Threads that could compute: 1 + the helpers started. */
    get maxThreads() { return this.helpers.length + 1; }

    /** Uses n of the started threads from the next task on (same bits either way). */
    useThreads(n) {
      if (!this.x.wasm_set_helpers) return;
      this.x.wasm_set_helpers(Math.max(0, Math.min(this.helpers.length, Math.floor(n) - 1)));
    }

    /** Stops the helper threads (the engine is unusable afterwards if it had any). */
    destroy() {
      for (const helper of this.helpers) helper.stop();
      this.helpers = [];
    }

    // ---- memory helpers (views are fresh: memory may have grown) -------------
    bytes() { return new Uint8Array(this.memory.buffer); }
    copyIn(data) {
      const ptr = this.x.wasm_alloc(data.byteLength);
      if (!ptr) throw new Error(`out of WebAssembly memory for ${data.byteLength} bytes`);
      this.bytes().set(new Uint8Array(data.buffer || data, data.byteOffset || 0, data.byteLength), ptr);
      return ptr;
    }
    copyString(text) {
      return this.copyIn(new TextEncoder().encode(`${text}\0`));
    }
    check(status) {
      if (status !== 0) throw new Error(this.errorMessage());
    }
    errorMessage() {
      const bytes = this.bytes();
      const ptr = this.x.wasm_error();
      let end = ptr;
      while (bytes[end] !== 0) end++;
      // slice(): browsers refuse to decode a view of shared memory (the threaded module's)
      return new TextDecoder().decode(bytes.slice(ptr, end));
    }
    doubles(ptr, n) { return Array.from(new Float64Array(this.memory.buffer, ptr, n)); }

    // ---- data -----------------------------------------------------------------
    /** Validates and keeps a set; images/labels are the decompressed IDX bytes. */
    loadSet(set, images, labels, names = {}) {
      const which = setIndex(set);
      const imagesPtr = this.copyIn(images);
      const labelsPtr = this.copyIn(labels);
      const imagesName = this.copyString(names.images || `${set} images`);
      const labelsName = this.copyString(names.labels || `${set} labels`);
      // wasm_load owns (and on failure frees) the two data buffers.
      const status = this.x.wasm_load(which, imagesPtr, images.byteLength, imagesName,
        labelsPtr, labels.byteLength, labelsName);
      this.x.wasm_free(imagesName);
      this.x.wasm_free(labelsName);
      this.check(status);
      return { count: this.count(set) };
    }

    count(set) { return Number(this.x.wasm_count(setIndex(set))); }

    /** A copy of image `index` of a set (784 bytes) and its label. */
    image(set, index) {
      const which = setIndex(set);
      const ptr = this.x.wasm_pixels(which) + index * PIXELS;
      return {
        pixels: this.bytes().slice(ptr, ptr + PIXELS),
        label: this.bytes()[this.x.wasm_labels(which) + index],
      };
    }

    /** Every label of a set (a copy). */
    labels(set) {
      const which = setIndex(set);
      const ptr = this.x.wasm_labels(which);
      return this.bytes().slice(ptr, ptr + this.count(set));
    }

    // ---- network ----------------------------------------------------------------
    configure(config) {
      const arch = config.arch;
      if (!Array.isArray(arch) || arch.some((w) => !Number.isInteger(w))) {
        throw new Error('architecture must be a list of whole numbers, like [784, 128, 10]');
      }
      if (!(config.init in INITS)) throw new Error(`unknown initialisation '${config.init}' (expected he or seed)`);
      const sizes = this.copyIn(new Uint8Array(Int32Array.from(arch).buffer));
      const status = this.x.wasm_configure(arch.length, sizes, INITS[config.init], config.seed >>> 0,
        config.batch, config.lr, config.momentum, config.weightDecay, config.lrDecay);
      this.x.wasm_free(sizes);
      this.check(status);
      return { parameters: this.paramCount(), arch: this.arch() };
    }

    setHyper(h) {
      this.check(this.x.wasm_set_hyper(h.batch, h.lr, h.momentum, h.weightDecay, h.lrDecay));
    }

    arch() {
      const n = this.x.wasm_layers();
      return Array.from(new Int32Array(this.memory.buffer, this.x.wasm_sizes(), n + 1));
    }

    paramCount() { return Number(this.x.wasm_param_count()); }

    /** A copy of all parameters (the layout of mnist_params in src/mnist.h). */
    getParams() {
      return new Float32Array(this.memory.buffer, this.x.wasm_params(), this.paramCount()).slice();
    }

    setParams(values) {
      const n = this.paramCount();
      if (values.length !== n) throw new Error(`expected ${n} parameters, got ${values.length}`);
      new Float32Array(this.memory.buffer, this.x.wasm_params(), n).set(values);
    }

    // ---- training and evaluation ------------------------------------------------------
    /** Trains on at most maxSamples samples; returns the core's progress. */
    train(maxSamples) {
      this.check(this.x.wasm_train(maxSamples));
      const p = this.doubles(this.x.wasm_progress(), 12);
      return {
        epoch: p[0], iterations: p[1], samples: p[2], epochSamples: p[3], epochLoss: p[4],
        epochAccuracy: p[5], batchLoss: p[6], batchAccuracy: p[7], batchEnded: p[8] === 1,
        epochEnded: p[9] === 1, diverged: p[10] === 1, lr: p[11],
      };
    }

    /** Accuracy, mean loss and confusion matrix over images first..first+count-1. */
    evaluate(set, first = 0, count = this.count(set)) {
      this.check(this.x.wasm_evaluate(setIndex(set), first, count, 1));
      const r = this.doubles(this.x.wasm_eval_result(), 3 + CLASSES * CLASSES);
      const confusion = [];
      for (let i = 0; i < CLASSES; i++) confusion.push(r.slice(3 + i * CLASSES, 3 + (i + 1) * CLASSES));
      return { count: r[0], correct: r[1], accuracy: r[1] / r[0], loss: r[2] / r[0], confusion };
    }

    probabilities() {
      return Array.from(new Float32Array(this.memory.buffer, this.x.wasm_probs(), CLASSES));
    }

    /** After a prediction: every layer's outputs for that image (hidden ReLUs, then probabilities). */
    activations() {
      const arch = this.arch();
      const layers = [];
      for (let l = 1; l < arch.length; l++) {
        layers.push(Array.from(new Float32Array(this.memory.buffer, this.x.wasm_activations(l), arch[l])));
      }
      return layers;
    }

    predictIndex(set, index) {
      const predicted = this.x.wasm_predict(setIndex(set), index);
      if (predicted < 0) throw new Error(this.errorMessage());
      const probabilities = this.probabilities();
      const image = this.image(set, index);
      return {
        predicted, probabilities, confidence: probabilities[predicted], label: image.label, pixels: image.pixels,
        activations: this.activations(),
      };
    }

    /** Predicted class and its probability for every image of a set. */
    classify(set) {
      const n = this.count(set);
      const predictedPtr = this.x.wasm_alloc(n), confidencePtr = this.x.wasm_alloc(4 * n);
      try {
        this.check(this.x.wasm_classify(setIndex(set), 0, n, predictedPtr, confidencePtr));
        return {
          predicted: this.bytes().slice(predictedPtr, predictedPtr + n),
          confidence: new Float32Array(this.memory.buffer, confidencePtr, n).slice(),
        };
      } finally {
        this.x.wasm_free(predictedPtr);
        this.x.wasm_free(confidencePtr);
      }
    }

    /** A copy of the first layer's weights of units 0..units-1 (784 each, row by row). */
    firstLayerWeights(units) {
      const n = Math.max(0, Math.min(units, this.arch()[1]));
      return new Float32Array(this.memory.buffer, this.x.wasm_params(), n * PIXELS).slice();
    }

    /** image: 784 floats in 0..1, row by row. */
    predictImage(image) {
      if (!image || image.length !== PIXELS) throw new Error(`an image is ${PIXELS} values (28x28)`);
      const ptr = this.copyIn(new Uint8Array(Float32Array.from(image).buffer));
      const predicted = this.x.wasm_predict_image(ptr);
      this.x.wasm_free(ptr);
      if (predicted < 0) throw new Error(this.errorMessage());
      const probabilities = this.probabilities();
      return { predicted, probabilities, confidence: probabilities[predicted], activations: this.activations() };
    }

    // ---- model files ------------------------------------------------------------------------
    saveModel() {
      const size = Number(this.x.wasm_model_size());
      const ptr = this.x.wasm_alloc(size);
      try {
        this.check(this.x.wasm_model_save(ptr, size));
        return this.bytes().slice(ptr, ptr + size);
      } finally {
        this.x.wasm_free(ptr);
      }
    }

    loadModel(bytes) {
      const ptr = this.copyIn(bytes);
      const status = this.x.wasm_model_load(ptr, bytes.byteLength);
      this.x.wasm_free(ptr);
      this.check(status);
      return { parameters: this.paramCount(), arch: this.arch() };
    }
  }

  root.MnistEngine = MnistEngine;
  if (typeof module === 'object' && module.exports) module.exports = MnistEngine;
})(typeof self !== 'undefined' ? self : globalThis);
